/**
 * The process that performs one Plan or Export task for the workbench (see export-task.ts):
 * it receives the task as its first message from its parent, answers with one message and
 * exits. Started by app/host/job-exports.ts, with `child_process.fork` or (in the desktop app)
 * as an Electron utility process, so the app binary never has to run as plain Node; a task that
 * does not answer in time is killed there, and so is the process once it has answered.
 */
import { exitWithParent, parentChannel } from '../../engine/process/parent-channel.ts';
import type { IpcPeer } from '../../engine/process/rpc/endpoints.ts';
import { performExportTask, type ExportTask, type ExportTaskReply } from './export-task.ts';

const parent = ((): IpcPeer => {
  try {
    return parentChannel();
  } catch (error) {
    console.error(`export-worker: ${(error as Error).message}`);
    process.exit(2);
  }
})();
exitWithParent();

const onTask = (message: unknown): void => {
  parent.off('message', onTask);
  const task = (message as { task?: ExportTask }).task;
  const answer = (reply: ExportTaskReply): void => {
    // Exit once the reply is flushed: the notebook's cells may have left timers behind. A
    // utility process's port has no flush callback: its parent ends it once the reply is in.
    if (process.send) process.send({ reply }, () => process.exit(0));
    else parent.send?.({ reply });
  };
  if (!task) {
    answer({ ok: false, message: 'the export worker got no task' });
    return;
  }
  performExportTask(task).then(answer, (error: unknown) => answer({ ok: false, message: error instanceof Error ? error.message : String(error) }));
};
parent.on('message', onTask);
