/** The targets on server Postgres at 100k memories; the embedded database gets 2× slack. */
export interface Targets {
  searchP50Ms: number;
  searchP95Ms: number;
  searchOverheadMs: number;
  getRps: number;
  importPerSec: number;
}

export const serverTargets: Targets = {
  searchP50Ms: 2,
  searchP95Ms: 8,
  searchOverheadMs: 1.5,
  getRps: 4000,
  importPerSec: 5000,
};

export const embeddedTargets: Targets = {
  searchP50Ms: serverTargets.searchP50Ms * 2,
  searchP95Ms: serverTargets.searchP95Ms * 2,
  searchOverheadMs: serverTargets.searchOverheadMs * 2,
  getRps: serverTargets.getRps / 2,
  importPerSec: serverTargets.importPerSec / 2,
};
