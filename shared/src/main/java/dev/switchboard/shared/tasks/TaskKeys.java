package dev.switchboard.shared.tasks;

/**
 * Every Redis key of the task system, built here and nowhere else (BullMQ's {@code queue-keys.ts}). All keys
 * sit under {@code switchboard:}, then an optional namespace (isolates tests or tenants sharing one Redis),
 * then {@code tasks:}. Lua scripts receive keys from here; where a script must reach a task it only learns
 * at run time, it gets {@link #taskPrefix()} and appends the id, exactly as {@link #task} does.
 *
 * <ul>
 *   <li>{@code task:{id}} hash: the task's state, arguments, options, result or error, progress,
 *       per-state timestamps; expires {@code resultTtl} after a final state.
 *   <li>{@code queue:{queue}:{priority}} stream, consumer group {@link #GROUP}: tasks ready to run. Entries
 *       are deleted when acknowledged, so a stream holds only the backlog, bounded by {@code maxQueueLength}.
 *   <li>{@code delayed} sorted set (score = due time): countdown/ETA tasks and retries waiting their turn.
 *   <li>{@code signatures} hash: task name → signature, written by workers, read by clients.
 *   <li>{@code notify:{client}}: a pub/sub channel per task client, see {@link #notifyChannel}.
 *   <li>{@code rate:{name}:{window}} counters: per-task-name rate limits, expiring with their window.
 *   <li>{@code recent} and {@code failed} lists: ids of the newest tasks queued and of the newest that failed,
 *       newest first, trimmed to {@link #HISTORY_LENGTH}; ids whose hash expired are skipped by readers.
 *   <li>{@code queues} set: every queue name a task was sent to (the streams to look at for depth).
 *   <li>{@code stats} hash: per-queue counters {@code enqueued:{queue}}, {@code succeeded:{queue}},
 *       {@code failed:{queue}}, {@code retried:{queue}}, {@code purged:{queue}}, {@code expired:{queue}} (waited past
 *       {@code waitingTtlMs} in a queue no worker consumed), for throughput across the cluster.
 *   <li>{@code workers} sorted set (score = last heartbeat) and {@code worker:{name}} hashes (queues, concurrency,
 *       busy, completed, started): the live workers; a hash expires three heartbeats after the last, the set drops
 *       members as old when any worker announces itself.
 *   <li>{@code consumed} sorted set: queue → last heartbeat of a worker consuming it; a client accepts a queue
 *       only when it is in there (recently) or its own configuration names it.
 *   <li>{@code paused} set: queues paused by {@code QueueControl}; no worker claims from them until resumed.
 *   <li>{@code schedules} hash: schedule name → its definition ({@link Schedule}), at most {@code schedules.max}
 *       entries; {@code schedule-runs} hash: schedule name → its last occurrence handled (or its creation time),
 *       written only by the leading scheduler, fenced; both lose a schedule's entry when it is removed.
 *   <li>{@code scheduler:lease} string (expires after {@code schedules.leaseMs}): the fencing token of the one
 *       worker whose scheduler acts; {@code scheduler:fence} counter: the last token handed out.
 * </ul>
 */
public final class TaskKeys {

  public static final String ROOT = "switchboard:";
  /** The consumer group every worker joins on every stream. */
  public static final String GROUP = "workers";
  /** How many ids the {@code recent} and {@code failed} lists keep. */
  public static final int HISTORY_LENGTH = 1000;
  /** How many queue names the {@code queues} set (and so the per-queue {@code stats}) holds at most. */
  public static final int MAX_QUEUES = 1000;

  private final String prefix;

  /** {@code namespace} may be empty; it must not contain spaces. */
  public TaskKeys(String namespace) {
    this.prefix = ROOT + (namespace == null || namespace.isEmpty() ? "" : namespace + ":") + "tasks:";
  }

  public String prefix() {
    return prefix;
  }

  public String task(String id) {
    return taskPrefix() + id;
  }

  /** What {@link #task} puts before the id; handed to scripts that find task ids in streams or sets. */
  public String taskPrefix() {
    return prefix + "task:";
  }

  public String stream(String queue, int priority) {
    return streamPrefix() + queue + ":" + priority;
  }

  /** The queue's streams, one per priority, 9 (first served) to 0. */
  public java.util.List<String> streams(String queue) {
    return java.util.stream.IntStream.iterate(9, p -> p >= 0, p -> p - 1).mapToObj(p -> stream(queue, p)).toList();
  }

  public String delayed() {
    return prefix + "delayed";
  }

  public String signatures() {
    return prefix + "signatures";
  }

  public String recent() {
    return prefix + "recent";
  }

  public String failed() {
    return prefix + "failed";
  }

  public String queues() {
    return prefix + "queues";
  }

  public String stats() {
    return prefix + "stats";
  }

  /**
   * The pub/sub channel (not a key: it holds nothing) where the final state of every task one client queued is
   * published, {@code {"id","name","state","seq","result"?,"error"?}}; the task hash names it in {@code notify}.
   */
  public String notifyChannel(String clientId) {
    return prefix + "notify:" + clientId;
  }

  public String workers() {
    return prefix + "workers";
  }

  public String worker(String name) {
    return prefix + "worker:" + name;
  }

  public String consumed() {
    return prefix + "consumed";
  }

  /** The paused queues (a set of names, at most {@link #MAX_QUEUES}): workers claim nothing from them. */
  public String paused() {
    return prefix + "paused";
  }

  /** What each of a queue's streams starts with; the priority follows ({@link #stream}). */
  public String streamPrefix() {
    return prefix + "queue:";
  }

  public String schedules() {
    return prefix + "schedules";
  }

  public String scheduleRuns() {
    return prefix + "schedule-runs";
  }

  public String schedulerLease() {
    return prefix + "scheduler:lease";
  }

  public String schedulerFence() {
    return prefix + "scheduler:fence";
  }

  /** What the rate-limit counter keys start with; scripts append {@code {name}:{window}}. */
  public String ratePrefix() {
    return prefix + "rate:";
  }
}
