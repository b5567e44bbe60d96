/**
 * The process that performs one Plan or Export task for the workbench (see export-task.ts):
 * it receives the task as its first IPC message, answers with one message and exits. Started by
 * app/host/job-exports.ts; a task that does not answer in time is killed there.
 */
import { performExportTask, type ExportTask, type ExportTaskReply } from './export-task.ts';

if (!process.send) {
  console.error('export-worker: start this module with an IPC channel (child_process.fork)');
  process.exit(2);
}

process.once('message', (message: unknown) => {
  const task = (message as { task?: ExportTask }).task;
  const answer = (reply: ExportTaskReply): void => {
    // Exit once the reply is flushed: the notebook's cells may have left timers behind.
    process.send!({ reply }, () => process.exit(0));
  };
  if (!task) {
    answer({ ok: false, message: 'the export worker got no task' });
    return;
  }
  performExportTask(task).then(answer, (error: unknown) => answer({ ok: false, message: error instanceof Error ? error.message : String(error) }));
});
