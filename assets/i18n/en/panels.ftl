# The header: what runs where, the counter, what the loop costs.
header-running = RUNNING
header-paused = PAUSED
header-starting = starting…
header-verbatim = the listing verbatim: blocking sockets
header-faithful = faithful listing
header-backlog = backlog { $backlog }
header-reachable = reachable beyond this machine
header-up = up { $clock }
header-clients = clients
header-threads-hold = each thread stops before its next call
header-demo = DEMO
header-accept-error = accept: { $error }, backing off
header-parked = parked in { $call } for { $waited }
header-parked-on = parked in { $call } on #{ $conn } for { $waited }
header-threads = threads
header-virtual = virtual
header-per-thread = { $size } a thread
header-ready-per-wakeup = ready sockets per wakeup { $n }
header-workers = workers { $busy } busy { $idle } idle
header-queued = queued { $n }
header-longest-wait = longest wait { $waited }
header-listen-queue = listen queue
header-of-max = of { $max }
header-listen-queue-means = connected, not accepted
header-listen-queue-unknown = unknown on this system
header-overflows = kernel dropped
header-overflows-scope = listen overflows, whole system
header-cpu-split-linux-only = user/sys split: Linux only
header-cpu-user = user
header-cpu-sys = sys
header-dropped = dropped
header-slow-readers-dropped = slow readers dropped
header-refused = refused
header-replies-lost = replies lost
cpu-of-a-core = of a core

# What one iteration of the model's loop is called.
unit-spins = spins
unit-spin = spin
unit-wakeups = wakeups
unit-wakeup = wakeup
unit-recv-calls = recv calls
unit-recv-call = recv call

# How long ago; how long idle (a narrow column).
ago-now = now
ago-secs = { $n }s ago
ago-mins = { $n }m ago
ago-hours = { $n }h ago
idle-secs = { $n }s
idle-mins = { $n }m
idle-hours = { $n }h

# The Connected list.
conns-title = Connected
conns-of-accepted = of { $accepted } accepted
conns-built-in = built-in
conns-none-yet = no clients yet
conns-none-now = no clients connected now
conns-connect-with = connect with:
conns-col-conn = conn
conns-col-peer = peer
conns-col-recvq = recvq
conns-col-in = in
conns-col-out = out
conns-col-sendq = sendq
conns-col-idle = idle
conns-col-pend = pend
conns-queued = queued
client-chatty = chatty
client-idle = idle

# The lecture's ready_send_list.
ready-title = Ready to send
ready-every-spin = every spin
ready-this-unit = this { $unit }
ready-now = now
ready-one-unit-ago = 1 { $unit } ago
ready-units-ago = { $n } { $units } ago
ready-n-ago = { $n } ago
ready-queued = { $bytes } queued
ready-empty = the replies of the latest spin that had any show here
ready-and-more = and { $n } more

# The Disconnected list: how each client left.
gone-title = Disconnected
gone-empty = clients that closed or reset show here, newest first
gone-closed = closed
gone-reset = reset
gone-evict = evict
gone-ended = ended
gone-count-closed = { $n } closed
gone-count-reset = { $n } reset
gone-count-evicted = { $n } evicted
gone-count-ended = { $n } ended
gone-reset-on = { $error } on { $call }
gone-unread-bytes = { $bytes } unread
gone-for-secs = for { $secs } s
gone-send-timed-out = send timed out
gone-after-secs = after { $secs } s
gone-unread = unread
gone-at-total = at the { $bytes } total
gone-model-switched = model switched
reset-listing-crashes = the listing crashes here
reset-no-thread = no thread for it
evicted-stalled = { $bytes } of replies unread for { $secs } s
evicted-send-timeout = replies unread for { $secs } s (send timed out)
evicted-total-cap = replies unread for { $secs } s at the { $bytes } total cap (--pending-total)
refused-max-conns = { $limit } clients already (--max-conns)
refused-max-conns-per-ip = { $limit } clients from that address already (--max-conns-per-ip)

# The event log.
log-title = Event log
log-scrolled-back = { $n } back (End follows)
log-verbatim = the listing verbatim
log-listening = { $model } on { $addr }
log-from = from { $peer }
log-accept-waited = queued { $waited }
log-call-on = { $call } on #{ $conn }
log-spins = { $n } spins
log-close-wait = the peer closed; the listing keeps it
log-send-queued = { $bytes } queued: the kernel buffer is full
log-orderly-close = orderly close
log-evicted = dropped: { $why }
log-refused = { $peer } turned away: { $why }
log-lost = { $size } reply thrown away
log-lost-why = send would block
log-accept-error = { $error }: not accepting for { $ms } ms
log-loop-paused = server loop paused
log-loop-resumed = server loop resumed
log-thread-holds = { $thread } holds before its next call
log-thread-goes-on = { $thread } goes on
log-dropped = { $n } events dropped
log-client = built-in { $role } client from { $peer }
log-reply = { $peer } got its reply in { $rtt } µs
log-parks = { $thread } parks in { $call }
log-back-from = { $thread } back from { $call } after { $waited }
log-thread-started = { $thread } started:
log-thread-ended = { $thread } ended
log-queued = waits in the queue for a worker
log-dequeued = taken by { $thread } after { $waited }
log-wakeups = { $wakeups } wakeups, { $ready } ready sockets
log-threads = { $n } threads
log-kernel-queues = { $n } connections' kernel queues changed
role-busy-loop = the whole server, never waiting
role-poll-loop = the whole server, asleep in poll
role-accept-and-serve = accept, then serve that client
role-accept-spawn = accept, start a thread per client
role-accept-queue = accept, queue for the pool
role-client-of = serves #{ $conn }
role-client = serves one client
role-worker = pool worker

# The log's kind column: the event's name (codes are the stream's).
kind-listening = listening
kind-accept = accept
kind-would_block = would_block
kind-spin = spin
kind-recv = recv
kind-send = send
kind-closed = closed
kind-reset = reset
kind-lost = lost
kind-accept_error = accept_error
kind-paused = paused
kind-resumed = resumed
kind-dropped = dropped
kind-client = client
kind-evicted = evicted
kind-refused = refused
kind-reply = reply
kind-blocked = blocked
kind-unblocked = unblocked
kind-thread = thread
kind-queued = queued
kind-dequeued = dequeued
kind-wakeup = wakeup
kind-sample = sample
kind-pace = pace
kind-kernel_queues = kernel_queues
kind-accept_wait = accept_wait
kind-marker = ◆ marker

# The history.
history-title = History
history-max = max { $n }

# The thread models' panel.
threads-title = Threads
threads-queue = queue { $n }
threads-workers = workers { $busy } busy { $idle } idle
threads-started-ended = { $started } started, { $ended } ended
threads-legend = parked for · in
threads-queued = queued
threads-no-free-worker = no free worker
threads-paused = paused
threads-running = running
threads-none-yet = no server threads yet

# The comparison (t).
compare-title = Models compared
compare-closes = t or Esc closes · m switches model
compare-faithful = faithful
compare-model = model
compare-ran = ran
compare-cpu = CPU s/1k
compare-messages = messages
compare-rtt-p50 = RTT p50
compare-rtt-p99 = RTT p99
compare-threads = threads
compare-rss = RSS
compare-idle-cpu = idle CPU
compare-note = CPU s/1k: server CPU seconds per 1,000 messages. RTT: the built-in clients' round trips (c adds one, s makes them talk). threads, RSS: the most seen. idle CPU: % of one core in whole seconds without a message (paused seconds and a run's first second left out). ran: how long in all, ×N when it ran N times.

# The room's guess (f).
predict-title = The room guesses
predict-question = { $call } — what comes back?
predict-guess-hint = 1–4 count a guess · r reveals
predict-next-hint = n: the next call (or slow motion: -) · f: prediction off
predict-waiting = The next call's outcome waits here for r.
predict-last = last:
predict-new-client = a new client
predict-accept-error = an error (EMFILE…)
predict-data = data
predict-closed = 0: closed
predict-reset = reset
predict-all = all of it
predict-part = part of it
predict-no-guesses = no guesses counted
predict-guessed-right = { $right } of { $n } guessed it

# A replay's note; the marker's note input (M).
replay-note-title = note
note-title = marker note (Enter drops it, Esc cancels)
