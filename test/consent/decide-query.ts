/** The consentDecisions operation with every field, as a partner's client would send it. */
export const DECIDE = `query Decide($isrcs: [ISRC!]!, $use: UseType!, $territory: Territory!, $at: DateTime) {
  consentDecisions(isrcs: $isrcs, use: $use, territory: $territory, at: $at) {
    decisionId aiPartner use territory at evaluatedAt digest receipt
    decisions { isrc decision reasons rightsholdersWithoutAgreement agreements consentRecords }
  }
}`;
