package dev.switchboard.shared.metrics;

/**
 * Every Switchboard meter name and tag, in one place (Prometheus adds {@code _total}, {@code _seconds} and turns dots
 * into underscores). Each meter is registered by the component it measures: the gateway its sockets, the worker its
 * slots and transitions, the task client its submissions and revocations, the gateway's scrape the queues in Redis.
 * Vert.x's own meters ({@code vertx_pool_*}) come with them; the gateway records the HTTP server's under Vert.x's
 * names ({@code vertx_http_server_*}).
 */
public final class MetricNames {

  /** Gauge: open WebSockets, tags {@link #ROUTE} (the URL pattern) and {@link #NODE}. */
  public static final String WEBSOCKETS_OPEN = "switchboard.websockets.open";
  /** Counter: WebSocket closes, tags {@link #ROUTE}, {@link #CODE} (1000, 1009, 1012, 1013, ...) and {@link #NODE}. */
  public static final String WEBSOCKET_CLOSES = "switchboard.websocket.closes";
  /** Counter: sockets closed with 1013 because their bounded outbound queue filled, tags route and node. */
  public static final String WEBSOCKET_QUEUE_OVERFLOWS = "switchboard.websocket.queue.overflows";

  /** Counter: sockets the gateway's heartbeat closed (1001), tags {@link #REASON} ({@code silent}: no frame, not even a pong, for two ping intervals), route, node. */
  public static final String WEBSOCKET_HEARTBEAT_CLOSES = "switchboard.websocket.heartbeat.closes";

  /** Counter: group sends issued on a node, tag node. */
  public static final String GROUP_SENDS = "switchboard.group.sends";
  /** Counter: cluster messages those group sends cost (one per node with members), tag node. */
  public static final String GROUP_SEND_MESSAGES = "switchboard.group.send.messages";
  /** Counter: group messages delivered to members on a node, tag node. */
  public static final String GROUP_DELIVERIES = "switchboard.group.deliveries";
  /** Counter: group messages dropped, tags {@link #REASON} (channel_closed, client_too_slow, node_unreachable), node. */
  public static final String GROUP_DROPS = "switchboard.group.drops";
  /**
   * Counter: nodes (joined, or merged back after a split) that a node gave up asking for their group members, tag node;
   * its group sends miss those members until they join again.
   */
  public static final String GROUP_SNAPSHOTS_ABANDONED = "switchboard.group.snapshots.abandoned";

  /** Counter: events sent to a channel ({@code websocket.send} and the like) handed to the socket on this node. */
  public static final String CHANNEL_DELIVERIES = "switchboard.channel.deliveries";

  /** Counter: events sent to a channel and dropped on its node, tags {@link #REASON} (channel_closed, client_too_slow), node. */
  public static final String CHANNEL_DROPS = "switchboard.channel.drops";

  /** Counter: task transitions, tags {@link #TASK} and {@link #STATE}; PENDING and REVOKED counted by clients. */
  public static final String TASKS = "switchboard.tasks";
  /** Tag: which bound was hit. */
  public static final String BOUND = "bound";
  /** Counter: failed attempts that will be tried again, tag task. */
  public static final String TASK_RETRIES = "switchboard.task.retries";
  /** Counter: a task-system bound was hit, tag {@link #BOUND} (delayed: a retry refused by the delayed set's bound). */
  public static final String TASK_BOUND_HITS = "switchboard.tasks.bound.hits";
  /** Tasks a worker claimed but does not know, left (delayed) for a worker that does; tag {@link #TASK}. */
  public static final String TASKS_DEFERRED = "switchboard.tasks.deferred";
  /**
   * Counter: occurrences of periodic tasks the leading scheduler handled, tag {@link #OUTCOME} ({@code sent},
   * {@code duplicate}: its task id existed already, {@code failed}: recorded with an error, {@code skipped}: older than
   * the catch-up bound).
   */
  public static final String SCHEDULE_OCCURRENCES = "switchboard.schedule.occurrences";
  /** Gauge: 1 while this worker's scheduler holds the lease (leads), else 0. */
  public static final String SCHEDULER_LEADER = "switchboard.scheduler.leader";
  /** Counter: times this worker's scheduler took the lease. */
  public static final String SCHEDULER_TAKEOVERS = "switchboard.scheduler.takeovers";
  /** Tag: what became of a periodic task's occurrence. */
  public static final String OUTCOME = "outcome";
  /** Timer: one attempt from start to outcome, tags task and state. */
  public static final String TASK_DURATION = "switchboard.task.duration";

  /** Gauge: tasks a worker runs now. */
  public static final String WORKER_BUSY = "switchboard.worker.busy.slots";
  /** Gauge: the most tasks a worker runs at once. */
  public static final String WORKER_CONCURRENCY = "switchboard.worker.concurrency";
  /** Gauge: busy slots / concurrency, 0 to 1. */
  public static final String WORKER_UTILISATION = "switchboard.worker.utilisation";

  /** Gauge: tasks waiting in a queue's streams (delivered but unfinished ones are not waiting), tag queue. */
  public static final String QUEUE_DEPTH = "switchboard.queue.depth";
  /** Gauge: tasks of a queue that a worker has claimed and not finished, tag queue. */
  public static final String QUEUE_RUNNING = "switchboard.queue.running";
  /** Gauge: age in seconds of the oldest waiting task of a queue (0 when empty), tag queue. */
  public static final String QUEUE_OLDEST_AGE = "switchboard.queue.oldest.age";
  /** 1 while the queue is paused (no worker starts its tasks), else 0. */
  public static final String QUEUE_PAUSED = "switchboard.queue.paused";
  /** Tasks that waited past {@code tasks.waitingTtlMs} in the queue while no worker consumed it (REVOKED TaskExpired). */
  public static final String QUEUE_EXPIRED = "switchboard.queue.expired.tasks";
  /** Gauge: tasks waiting for a countdown, an ETA or a retry. */
  public static final String TASKS_DELAYED = "switchboard.tasks.delayed";
  /** Gauge: 1 when the last read of Redis succeeded, else 0. */
  public static final String REDIS_UP = "switchboard.redis.up";

  /** Gauge: route patterns announced for more than one consumer, as a gateway sees them; tag {@link #NODE}. */
  public static final String ROUTE_CONFLICTS = "switchboard.route.conflicts";
  /** Counter: route announcements a gateway refused (malformed, or over its bound of sources); tag {@link #NODE}. */
  public static final String ROUTE_ANNOUNCEMENTS_REFUSED = "switchboard.route.announcements.refused";

  /**
   * Counter: HTTP requests the gateway could not relay to a consumer, tag {@link #REASON} ({@code no_consumer},
   * {@code timeout}, {@code body_too_large}, {@code too_many_in_flight}, {@code consumer_failed}, {@code client_gone},
   * {@code client_too_slow}) and {@link #NODE}.
   */
  public static final String HTTP_RELAY_FAILURES = "switchboard.http.relay.failures";

  /**
   * Counter: HTTP requests recorded in the gateway's {@code route="other"} series because its bound on (route,
   * method, code) combinations with meters of their own was reached.
   */
  public static final String HTTP_SERVER_METER_OVERFLOWS = "switchboard.http.server.meters.overflow";

  public static final String ROUTE = "route";
  public static final String NODE = "node";
  public static final String CODE = "code";
  public static final String TASK = "task";
  public static final String STATE = "state";
  public static final String QUEUE = "queue";
  public static final String WORKER = "worker";
  public static final String REASON = "reason";

  private MetricNames() {
  }
}
