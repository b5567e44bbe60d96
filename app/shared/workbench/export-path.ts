/**
 * Where the workbench suggests exporting a job: `export/<job-slug>` under the served folder.
 */

/**
 * A job name as a directory name: lower case, runs of other characters as one `-`.
 *
 * @example
 * jobSlug('Fraud alerts (v2)'); // 'fraud-alerts-v2'
 */
export function jobSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    // Accents come apart under NFKD: drop the marks, keep the letters.
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'job' : slug.slice(0, 64);
}

/**
 * The suggested export directory of a job, relative to the served folder.
 *
 * @example
 * defaultExportDir('fraud alerts'); // 'export/fraud-alerts'
 */
export function defaultExportDir(jobName: string): string {
  return `export/${jobSlug(jobName)}`;
}
