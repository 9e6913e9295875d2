/**
 * The activity that posts a run's end to one place that asked for it. Built by a factory that
 * receives its dependencies, so tests pass fakes. It never fails the run: a notice that was not
 * delivered comes back as an error value, which the orchestrator turns into a warning.
 */
import type { ActivityResult } from "../batch/types";
import { withoutQuery } from "../batch/noticeHosts";
import type { NoticeDeps } from "../notify/deliverNotice";
import type { NoticeDelivered, RunEndNotice } from "../runs/runEndNotice";
import type { ActivityLog } from "./batchActivities";

/** The notice path needs the core HTTP pipeline: loaded with the first notice, not when the app loads (cold start). */
const deliverNotice: typeof import("../notify/deliverNotice").deliverNotice = (notice, deps) =>
  (require("../notify/deliverNotice") as typeof import("../notify/deliverNotice")).deliverNotice(notice, deps);

export function createNoticeActivities(deps: () => NoticeDeps) {
  return {
    sendRunEndNotice: async (notice: RunEndNotice, log: ActivityLog): Promise<ActivityResult<NoticeDelivered>> => {
      const where = withoutQuery(notice.channel === "eventGrid" ? notice.topic : notice.url);
      const result = await deliverNotice(notice, deps());
      log(
        result.ok
          ? `${notice.channel} notice (${notice.summary.status}) delivered to ${where}: ${result.value.status}`
          : `${notice.channel} notice not delivered: ${result.error.message}`,
      );
      return result;
    },
  };
}
