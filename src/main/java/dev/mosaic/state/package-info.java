/**
 * Mosaic's memory of a target, kept on the control machine's side of the sandbox: the state
 * directory ({@link dev.mosaic.state.StateDir}).
 *
 * <h2>The journal rule</h2>
 *
 * Every file here that is rewritten whole goes through {@link dev.mosaic.base.AtomicFile}: forced
 * to disk, renamed, its directory forced. Every journal (a file of JSON lines appended during a
 * run) follows one rule:
 * <ol>
 *   <li>A line is written whole and flushed to the kernel before the step it records is taken (or
 *       the change it guards is made): a killed Mosaic — the crash that happens — never loses a
 *       line, and a line cut by a crash is read as damaged, never as another line.</li>
 *   <li>What a run has done is on disk before the run reports its end: each journal is then
 *       folded into a file written by {@code AtomicFile} ({@code state.journal} into
 *       {@code state.json}, {@code created.journal} into {@code created.json},
 *       {@code refresh.journal} into itself) or forced ({@code history/<id>.journal}), once per
 *       run, not once per line.</li>
 *   <li>A line is forced to disk on its own, before its change, only where a power loss in the
 *       middle of a run would otherwise lose what no later observation can recover: a refresh
 *       owed ({@link dev.mosaic.state.RefreshJournal}; once the notifier changed, nothing on the
 *       target tells that its refresh is owed). The other journals are advisory across a power
 *       loss, each for the reason its class says: the state refines causes and never overrides
 *       observation, a forgotten created path is kept rather than deleted, and the history's
 *       backups are on disk before their change.</li>
 * </ol>
 */
package dev.mosaic.state;
