import type { DataSource } from 'typeorm';
import { AgreementsService } from '../agreements/agreements.service';
import { StatementsService } from '../compensation/statements.service';
import { UsageService } from '../compensation/usage.service';
import { ConsentService } from '../consent/consent.service';
import { DecisionsService } from '../decisions/decisions.service';
import type { ReceiptSigner } from '../decisions/receipt';
import { PartnersService } from '../partners/partners.service';
import { WorksService } from '../works/works.service';

/** One instance of each service per process; they hold no request state. */
export interface Services {
  agreements: AgreementsService;
  partners: PartnersService;
  works: WorksService;
  consent: ConsentService;
  decisions: DecisionsService;
  usage: UsageService;
  statements: StatementsService;
}

/** `issuer` names the gateway in the receipts it signs. */
export function createServices(dataSource: DataSource, signer: ReceiptSigner, issuer: string): Services {
  const works = new WorksService(dataSource);
  const decisions = new DecisionsService(dataSource, works, signer, issuer);
  return {
    agreements: new AgreementsService(dataSource),
    partners: new PartnersService(dataSource),
    works,
    consent: new ConsentService(dataSource),
    decisions,
    usage: new UsageService(dataSource, decisions),
    statements: new StatementsService(dataSource),
  };
}
