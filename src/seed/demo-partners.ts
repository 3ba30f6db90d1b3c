import { PartnerType } from '../partners/partner.entity';

/** The demo partners: fictional, one or more of each type, so every rule can be tried by hand. */
export const DEMO_PARTNERS = [
  { name: 'Aurora Records', type: PartnerType.LABEL, dpid: 'PADPIDA2026AURORA' },
  { name: 'Meridian Music', type: PartnerType.LABEL, dpid: 'PADPIDA2026MERIDN' },
  { name: 'Tidewater Distribution', type: PartnerType.DISTRIBUTOR, dpid: 'PADPIDA2026TIDEWT' },
  { name: 'Resonance AI', type: PartnerType.AI_PARTNER, dpid: null },
  { name: 'Cadence Labs', type: PartnerType.AI_PARTNER, dpid: null },
  { name: 'Accord Operations', type: PartnerType.INTERNAL, dpid: null },
] as const;
