# The language itself.
lang-name = English
lang-switched = language: { $lang }

# The models, as the screen names them (the stream keeps their codes).
model-blocking = blocking
model-threaded = threaded
model-pool = pool
model-nonblocking = nonblocking
model-multiplex = multiplex

# The footer's keys.
footer-quit = quit
footer-pause = pause
footer-resume = resume
footer-play = play
footer-call = call
footer-spin = spin
footer-event = event
footer-client = client
footer-reset-one = reset one
footer-demo = demo
footer-model = model
footer-compare = compare
footer-focus = focus
footer-explain = explain
footer-code = code
footer-help = help
footer-marks = marks
footer-speed = speed
footer-typing-note = typing a marker note: every key is text until Enter or Esc

# Notices: why a key did nothing.
notice-no-builtin-clients = no built-in client is connected: c adds a chatty one, i an idle one
notice-no-chatty-clients = no chatty built-in client to make talk (idle ones stay silent): c adds one
notice-no-clients-here = built-in clients need a live server
notice-step-needs-pause = n and N step a paused loop: press space first
notice-workers-need-pool = w and W add and retire workers of the pool model (m)
notice-pool-cannot-grow = the pool cannot grow: at its largest, or no thread started
notice-pool-at-least-one = a pool keeps one worker at least
notice-pool-queue-full = the queue is full of clients: try W again when a worker is free
notice-spin-step-needs-loop = N steps a spin of a loop; threads have none: n steps one call
notice-switch-failed = cannot switch to { $model }: { $error }
notice-replay = a replay: { $why }
notice-speed-needs-replay = [ ] set a replay's speed (ioscope replay FILE)
notice-seek-needs-replay = ← → Home End ' " move through a replay (ioscope replay FILE)
notice-no-mark-after = no marker or note after this point
notice-no-mark-before = no marker or note before this point
notice-marker-not-recorded = marker in the log only: nothing is recorded (serve --record FILE keeps them)

# What a replay cannot do that a live server does.
replay-cant-switch-model = the models run as they were recorded (m switches a live one)
replay-cant-slow-motion = [ ] set its speed (- + slow a live loop down)
replay-cant-backoff = the loop backs off as it was recorded
replay-cant-workers = the pool has the workers it was recorded with
replay-cant-clients = its clients are the recorded ones (no built-in clients)
replay-cant-markers = markers are dropped during a live run (M, with --record)

# A replay's state, after its progress.
replay-live = live
replay-end = end
replay-end-why = end: { $why }
# Why a followed stream (replay -) stopped before its end.
stream-cut = line { $line } is cut short (replayed up to line { $whole })
stream-read = cannot read: { $why }
stream-bad-line = line { $line }: { $what }
stream-bad = { $what }
replay-paused = paused

# The pace: slow motion and the busy loop's backoff.
pace-full-speed = full speed
pace-slow-motion = slow motion: { $delay } a call
backoff-spin = idle: spin on
backoff-yield = idle: yield
backoff-sleep = idle: sleep { $sleep }

# A marker without a note.
marker-no-note = no note

# replay FILE --summary: a label a line, then its figures.
summary-duration = duration
summary-models = models
summary-connections = connections
summary-messages = messages
summary-resets = resets
summary-peak = peak
summary-dropped = dropped
summary-markers = markers
summary-none = none
summary-model-run = { $run } { $secs } s, { $messages } messages
summary-peak-value = { $spins } spins/s, { $cpu }% CPU
summary-dropped-value = { $server } by the server, { $recorder } by the recorder
