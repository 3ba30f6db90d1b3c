import type { DataSource } from 'typeorm';
import { PartnersService } from '../partners/partners.service';
import { WorksService } from '../works/works.service';

/** One instance of each service per process; they hold no request state. */
export interface Services {
  partners: PartnersService;
  works: WorksService;
}

export function createServices(dataSource: DataSource): Services {
  return {
    partners: new PartnersService(dataSource),
    works: new WorksService(dataSource),
  };
}
