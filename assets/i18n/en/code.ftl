# The code panel (v): the model's loop as a listing.
code-title = Code
code-none = the server loop's code shows here once it runs
code-mode-paused = · ‖ paused: ▶ the last call
code-mode-slow = · slow motion: ▶ the last call
code-mode-rates = · each line: runs a second
code-legend-calls = ▶ call  › branch taken  right: runs so far
code-legend-calls-threads = ▶ call  ◀ threads parked  right: runs so far
code-legend-rates = right: runs in the last second
code-legend-rates-threads = ◀ threads parked  right: runs in the last second
code-more = +{ $n } more

# What the loop's last call returned, beside its line.
returned-accepted-from = #{ $conn } from { $peer }
returned-a-client = a client
returned-turned-away-flag = turned away ({ $flag })
returned-turned-away = turned away
returned-an-error = an error
returned-eof-data = b'' (data to the listing)
returned-eof-closed = 0: closed
returned-kept-queued = kept: { $kept } queued
returned-kept = kept
returned-sent-kept = { $bytes } B, { $kept } kept
returned-thrown-away = { $size } thrown away
returned-lost-size = { $size } lost
returned-lost = lost
returned-ready = { $ready } ready
returned-ready-in-wakeups = { $ready } ready in { $wakeups } wakeups
returned-queued = queued
returned-dequeued = #{ $conn } after { $waited }
returned-after = after { $waited }
returned-spawned = conn-{ $conn } serves #{ $conn }
returned-a-thread = a thread
returned-timed-out = timed out: dropped
returned-dropped = dropped
returned-evicted = dropped: replies unread
