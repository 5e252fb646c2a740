/**
 * The schedule lives on a ref of its own, `refs/osmose/schedule`, so that `osmose build` run
 * by the operator and the gateway's scheduler plan with the same boards out of service. Its
 * tree:
 *
 *     down.json                  { format: 1, boards: DownBoard[] } — the boards out of service
 *     reschedules/<id>.json      one record per reschedule the gateway made (ota/scheduler)
 */
export const scheduleRef = 'refs/osmose/schedule';

/** Where each file sits in the schedule ref's tree. */
export const scheduleLayout = {
  down: 'down.json',
  reschedules: 'reschedules',
  reschedule: (id: string): string => `reschedules/${id}.json`,
} as const;

/** `down.json`'s format; raised when a reader of an older one would misread it. */
export const downFileFormat = 1;
