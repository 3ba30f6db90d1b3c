import type { DataSource } from 'typeorm';
import { AgreementsService } from '../agreements/agreements.service';
import { PartnersService } from '../partners/partners.service';
import { WorksService } from '../works/works.service';

/** One instance of each service per process; they hold no request state. */
export interface Services {
  agreements: AgreementsService;
  partners: PartnersService;
  works: WorksService;
}

export function createServices(dataSource: DataSource): Services {
  return {
    agreements: new AgreementsService(dataSource),
    partners: new PartnersService(dataSource),
    works: new WorksService(dataSource),
  };
}
