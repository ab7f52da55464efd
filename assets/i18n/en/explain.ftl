# The explain panel (Enter on a log line): for every kind of event, what
# the call was, what it returned, what that means and which part of the
# lecture (io-model) it belongs to. The lecture's section names are quoted
# as its English rendering has them.
#
# A line break inside a message is a space between words (and nothing
# between two Chinese characters): wrap the long ones freely.

## The panel's frame.

explain-title = Explain: { $kind }
explain-closes = ↑ ↓ another line · Enter or Esc closes
explain-label-call = Call
explain-label-returned = Returned
explain-label-meaning = Meaning
explain-label-lecture = Lecture

## The lecture's sections.

-waits = What a socket server waits for
-blocking = Blocking IO
-nonblocking = Non-blocking IO
-really = What the listing really does
-beyond = Beyond the lecture

# The section of a model's own loop.
explain-section-blocking = { -blocking } › 1. the first socket server
explain-section-threaded = { -blocking } › 2. multithreading
explain-section-pool = { -blocking } › 3. a thread pool
explain-section-nonblocking = { -nonblocking } › the listing
explain-section-multiplex = { -beyond }: multiplexing (epoll), the answer to drawback 2
# A thread parked in a blocking call, the model not known.
explain-section-blocking-io = { -blocking }

## Words used by several explanations.

# `a and b`; `a, b and c` is explain-and-more, then explain-and.
explain-and = { $first } and { $last }
explain-and-more = { $first }, { $next }
# $count is $n with thousands separators.
explain-bytes =
    { $n ->
        [one] { $count } byte
       *[other] { $count } bytes
    }
# $bytes is explain-bytes, $preview the data as the log shows it.
explain-data = { $bytes } "{ $preview }"
explain-zero-bytes = 0 bytes
explain-cpu = { $cpu } of CPU ({ $sys } in the kernel)

# The call as the listing writes it.
explain-call-accept = accept()
explain-call-recv-any = recv(1024)
explain-call-send-any = send()
explain-call-recv = recv(1024) on #{ $conn }
explain-call-send = send() on #{ $conn }
explain-call-queue = a wait for the next client on the work queue
# A blocking call in a thread.
explain-call-in-thread = { $call } in { $thread }

# What a blocked call waits for ...
explain-waits-accept = a client connects
explain-waits-recv = the client sends something (or closes)
explain-waits-send = the kernel's send buffer has room again
explain-waits-queue = the accept thread queues a client
# ... and what had happened when it came back.
explain-waited-accept = a client had connected
explain-waited-recv = the client had sent something (or closed)
explain-waited-send = the kernel's send buffer had room again
explain-waited-queue = the accept thread had queued a client

# An errno, with the exception Python raises for it.
explain-errno-econnreset = ECONNRESET (ConnectionResetError in Python)
explain-errno-epipe = EPIPE (BrokenPipeError in Python)
explain-errno-emfile = EMFILE (OSError in Python: too many open files)
explain-errno-other = { $error }

# A model, in a few words.
explain-model-blocking = blocking, one thread: accept, then serve that client until it leaves
explain-model-threaded = threaded: an accept thread and a thread per client
explain-model-pool = pool: an accept thread and a fixed pool of workers fed by a queue
explain-model-nonblocking = nonblocking, the lecture's loop: every socket asked in turn, again and again
explain-model-multiplex = multiplex: one thread asleep in epoll until a socket is ready

## listening

explain-listening-call = socket(), bind({ $addr }), listen({ $backlog })
explain-listening-returned = listening on { $addr }
explain-listening-meaning =
    The server is bound and listening: from now on the kernel completes
    connections on its own and keeps up to about { $backlog } of them in the
    listen queue until accept takes them. The model: { $model }.
explain-listening-faithful = --faithful: the lecture's listing as written, its bugs included.

## accept

explain-accept-returned = a new socket, #{ $conn }, from { $peer }
explain-accept-meaning =
    The kernel had already done the handshake and kept the connection in the
    listen queue; accept only took it out and gave it a descriptor.
explain-accept-blocking =
    The one thread now serves this client until it leaves: nobody else is
    accepted meanwhile.
explain-accept-threaded = The accept thread starts a thread for it and goes back to accept.
explain-accept-pool = The accept thread queues it for a worker and goes back to accept.
explain-accept-multiplex =
    epoll had said the listening socket was ready, so accept could not block;
    the new socket is watched by epoll too.
explain-accept-nonblocking =
    In the listing it joins connected_list; accept is tried first on every
    spin.
explain-accept-lecture = { -waits } › accept; { $section }

## would_block

explain-wouldblock-call-none = non-blocking calls
explain-wouldblock-call = non-blocking { $calls }
# How many times a call would have blocked ($call: accept(), recv(), send()).
explain-wouldblock-count = { $call } ×{ $count }
explain-wouldblock-returned = WouldBlock (EAGAIN) ×{ $count }
# Why each call would have blocked.
explain-why-accept = no new client was waiting to be accepted
explain-why-recv = no client had sent anything new
explain-why-send = the kernel's send buffer was full
explain-wouldblock-meaning =
    Nothing there yet, ask again. The kernel said so at once
    (BlockingIOError in Python) instead of making the loop wait.
explain-wouldblock-meaning-why =
    Nothing there yet, ask again: { $why }. The kernel said so at once
    (BlockingIOError in Python) instead of making the loop wait.
explain-wouldblock-then-loop =
    The loop does not wait in place: it goes on and asks again on its next
    spin. Asking over and over, mostly in vain, is what keeps a core busy
    (drawback 2).
explain-wouldblock-then-epoll =
    An epoll loop reads a ready socket until it says this: then it knows the
    socket is drained, and sleeps until the kernel wakes it.
explain-wouldblock-lecture = { -nonblocking } › the listing: except BlockingIOError; drawback 2

# One call that would have blocked, shown by itself ($call: accept, recv,
# send).
explain-wouldblockon-returned = WouldBlock (EAGAIN)
explain-wouldblockon-call = non-blocking { $call }()
explain-wouldblockon-call-on = non-blocking { $call }() on #{ $conn }
explain-wouldblockon-recv =
    nothing new had arrived from the client: the data is still on its way
    (the waiting phase), so there is nothing to copy
explain-wouldblockon-recv-on =
    nothing new had arrived from the client on #{ $conn }: the data is still
    on its way (the waiting phase), so there is nothing to copy
explain-wouldblockon-send-on = the kernel's send buffer on #{ $conn } was full
explain-wouldblockon-meaning =
    Nothing there yet, ask again: { $why }. The kernel said so at once
    (BlockingIOError in Python) instead of making the loop wait; stepped or
    in slow motion, each such answer is shown by itself.
explain-wouldblockon-lecture = { -nonblocking } › the listing: except BlockingIOError

## accept_wait

explain-acceptwait-call = accept() of #{ $conn }, looked at afterwards
explain-acceptwait-returned = it waited { $ms } ms in the listen queue
explain-acceptwait-meaning =
    The kernel completed the connection on its own (the handshake) and kept
    it in the listen queue until the server called accept. Measured from the
    socket's last packet, by the sampler thread, never the loop: with data
    sent meanwhile it is a lower bound. A busy loop that is somewhere else
    answers late.
explain-acceptwait-lecture = { -nonblocking } › drawback 1: a new connection is not answered promptly

## pace

explain-pace-call = the viewer's pace (- + b)
# $speed: full speed or the slow motion, $backoff: what an idle spin does.
explain-pace-returned = { $speed } · { $backoff }
explain-pace-meaning =
    Slow motion waits before every system call so that the room can read
    each one; the calls themselves are real. The backoff is what the busy
    loop does after a spin that found nothing: spin on (a core at 100%),
    yield the core, or sleep — CPU falls and answers come later. epoll
    (multiplex) is the real answer: it sleeps in the kernel until a socket
    is ready.
explain-pace-lecture = { -nonblocking } › drawback 2

## spin

# $unit: wakeups (multiplex) or recv calls (threads).
explain-spin-count = { $spins } { $unit }
explain-spin-threads =
    Each blocking recv came back once, with data or a close: nothing is asked
    in vain, and a parked thread uses no CPU while it waits.
explain-spin-epoll =
    Each wakeup is one return from epoll_wait, with the sockets that are
    ready: the loop asks only those, and sleeps in between. Its CPU goes to
    real work, not to asking in vain.
explain-spin-call = { $spins } spins of the while True loop
explain-spin-meaning =
    One spin is one pass of the loop: try accept, then recv on every
    connected socket, then send what is ready. Each spin asks every socket
    whether something is there, even when nothing is, so the loop never
    rests: most of its CPU goes to the calls themselves, in the kernel.
explain-spin-empty =
    { $count } of the recvs returned b'' from a closed client and were
    answered with empty sends (CLOSE-WAIT).
explain-spin-lecture = { -nonblocking } › drawback 2 (an endless loop that burns CPU)

## recv

explain-recv-eof-returned = 0 bytes (b'')
explain-recv-eof-meaning =
    0 bytes means the client closed its side — its FIN. The listing does not
    check for b'': it treats it as data, sends b'' back and keeps the
    connection. The socket stays in CLOSE-WAIT, its descriptor leaks, and
    recv returns b'' again on every spin.
explain-lecture-orderly-close = { -really } › an orderly close makes recv return b''
explain-recv-threads =
    The thread waited in recv until the client's bytes had come over the wire
    into the kernel (phase 1, waiting for data); then recv copied them into
    the application (phase 2, copying data). While it waited the thread could
    do nothing else.
explain-recv-loop =
    The data had already arrived: phase 1, waiting for data, happened in the
    kernel while the loop did other things. recv only did phase 2: it copied
    the bytes from the kernel's buffer into the application. The reply,
    data.upper(), goes on the ready-send list.
explain-recv-epoll =
    The data had already arrived: phase 1, waiting for data, happened in the
    kernel while the loop did other things (epoll said this socket was
    ready). recv only did phase 2: it copied the bytes from the kernel's
    buffer into the application. The reply, data.upper(), goes on the
    ready-send list.
explain-recv-lecture = { -waits } › recv: 1. waiting for data, 2. copying data; { $section }

## send

explain-send-empty-call = send(b'') on #{ $conn }
explain-send-empty-meaning =
    An empty send: the listing answers a recv of b'' (a closed client) with
    send(b''), which sends nothing. It happens again on every spin while the
    socket sits in CLOSE-WAIT.
explain-send-all-returned = { $data }, all of it
explain-send-all-meaning =
    send copied the reply into the kernel's send buffer and returned at
    once. Sending it on is now the job of the operating system, the network
    card and the wire: the server does not wait for the client to receive
    it.
explain-send-lecture = { -waits } › send
explain-send-wouldblock = WouldBlock (EAGAIN): 0 bytes
explain-send-partial-returned = { $sent }; { $pending } still queued
explain-send-partial-meaning =
    A partial send: the kernel's send buffer for #{ $conn } is full, because
    the client does not read its replies as fast as they come. The kernel
    took what fit; the rest waits in the server's queue and is sent when
    there is room. The listing as written would lose it instead.
explain-send-partial-lecture = { -waits } › send; { -really } › a reply that would block is dropped

## closed

explain-closed-meaning =
    0 bytes: the client closed its side of the connection — its FIN. That is
    an orderly close, not an error: nothing more will come. The server
    closed its side too and removed #{ $conn } from the connected list; the
    listing as written would treat the b'' as data instead.
explain-closed-lecture = { -waits } › recv; { -really } › an orderly close makes recv return b''

## reset

explain-reset-econnreset =
    The client reset the connection — its RST. It went away abruptly (it
    closed with data unread, or crashed) instead of closing in order.
    Nothing more can be received or sent on #{ $conn }, and the server drops
    it.
explain-reset-epipe =
    The client had already gone (its RST came first), so the server's send
    had nowhere to go: a broken pipe. The server drops #{ $conn }.
explain-reset-other = { $error }: the call failed for good, and the server drops #{ $conn }.
explain-reset-listing-crashes =
    The listing does not catch this error on send: as written, the whole
    server would crash here.
explain-reset-listing-recv =
    The listing catches ConnectionResetError on recv and removes the client
    after the loop (dis_conn_list).
explain-reset-lecture-send = { -really } › send can raise ConnectionResetError or BrokenPipeError
explain-reset-lecture-recv = { -nonblocking } › the listing: except ConnectionResetError
explain-reset-lecture = { -waits }; { $section }
explain-reset-no-thread =
    No thread could be started for #{ $conn } ({ $error }), so the server
    closed it at once. A thread per client runs out when clients grow
    without bound: threads, and the memory of their stacks.

## evicted

explain-evicted-call-timeout = send() on #{ $conn }, then close()
explain-evicted-call = close() on #{ $conn }, by the server
explain-evicted-meaning =
    The client stopped reading its replies, so they piled up: first in the
    kernel's send buffer, then in the server's queue.
explain-evicted-timeout =
    The thread's blocking send waited that long for room, so the server gave
    up on the client.
explain-evicted-stalled = They sat unread that long, so the server dropped the client.
explain-evicted-memory =
    A server that kept them forever could be made to run out of memory by
    one client.
explain-evicted-lecture =
    { -waits } › send (the kernel's buffer is full); { -beyond }: the listing
    has no limit

## refused

explain-refused-call = accept(), then close() at once
explain-refused-returned = { $peer } turned away: { $why }
# $scope: all (--max-conns) or ip (--max-conns-per-ip).
explain-refused-meaning =
    { $scope ->
        [ip] { $limit } clients from that address
       *[all] { $limit } clients
    } were connected already, so the server took the connection and closed
    it at once. A limit keeps one burst of clients from taking every
    descriptor and all the memory; the listing has none.
explain-refused-lecture =
    { -blocking } › 2. multithreading (clients grow without bound);
    { -beyond }: a limit the listing does not have

## lost

explain-lost-returned = WouldBlock (EAGAIN): { $size } reply thrown away
explain-lost-meaning =
    The kernel's send buffer for #{ $conn } was full, so send raised
    BlockingIOError, and the listing just passes. ready_send_list is rebuilt
    on every spin, so nothing retries the reply: it is lost. Without
    --faithful the server keeps it and sends it later.
explain-lost-lecture = { -really } › when send raises WouldBlock the reply is dropped

## accept_error

explain-accepterror-nofile =
    Out of descriptors: the process (EMFILE) or the whole system (ENFILE) has
    as many open files as its limit allows, so a new connection cannot get
    one. Every connected client, and every leaked CLOSE-WAIT socket, holds a
    descriptor. The connection stays in the listen queue, and the server
    stops accepting for { $ms } ms instead of failing again at once.
explain-accepterror-other =
    accept failed with { $error }, not WouldBlock: the server stops accepting
    for { $ms } ms, then tries again. The listing catches only
    BlockingIOError here: it would crash.
explain-accepterror-lecture-nofile =
    { -nonblocking } › the listing: server.accept(); { -really } › the
    descriptor leaks (CLOSE-WAIT)
explain-accepterror-lecture = { -nonblocking } › the listing: server.accept()

## paused

explain-paused-call = ioscope's pause (space)
explain-paused-meaning =
    The server thread really stops before its next call: it parks and uses
    no CPU, so the counters and the history stand still while you look.
    While paused, n lets it make one more system call, N run one more spin.
explain-resumed-meaning = The thread goes on from where it parked, with its next call.
explain-paused-lecture = { -beyond }: ioscope's own control

## dropped

explain-dropped-call = ioscope's probe
explain-dropped-returned = { $count } events not delivered
explain-dropped-meaning =
    The server made events faster than the dashboard took them, and the
    channel between them was full. The probe never makes the server wait: it
    drops the event and counts it. The server lost nothing; only this view
    did.
explain-dropped-lecture = { -beyond }: how ioscope watches

## client

explain-client-call = connect(), by a built-in client
explain-client-returned = connected from { $peer }
explain-client-chatty =
    One of the dashboard's own clients, like the lecture's client: it sends a
    line every few seconds and waits for the upper-cased reply (send, then
    recv).
explain-client-idle =
    One of the dashboard's own clients: it connects and sends nothing, like a
    user who never types. The listing as written blocks in recv on such a
    client, and the whole loop freezes.
explain-client-lecture = { -nonblocking } › the client
explain-client-lecture-idle = { -nonblocking } › the client; { -really } › it blocks

## reply

explain-reply-call = recv(), in the built-in client { $peer }
explain-reply-returned = the whole reply after { $rtt }
explain-reply-meaning =
    The round trip as a client sees it: from its send to the last byte of
    the reply. It includes the time the server took to get round to this
    client: a busy loop over many sockets, a thread to be woken, a worker to
    be free.
explain-reply-lecture = { -nonblocking } › the client; drawback 1

## blocked, unblocked

explain-blocked-returned = nothing yet: the thread is parked
explain-blocked-meaning =
    A blocking call: the thread waits in place, in the kernel, and runs
    nothing after it until { $until }. It uses no CPU while it waits, but it
    can serve nobody else meanwhile.
explain-unblocked-returned = after { $waited }
explain-unblocked-meaning =
    The thread came back from its blocking call after { $waited }: { $what }.
    All that time it was parked, serving nobody else.

## thread

explain-thread-start = start a thread: { $thread }
explain-thread-end = end of thread { $thread }
explain-thread-ended =
    The thread ended: its client left, or the model was switched. Its
    stack's memory goes back.
# What a thread of each role does, and what it costs.
explain-role-busy-loop =
    The one thread of the non-blocking loop. It never waits, so it keeps a
    core busy even with nobody connected.
explain-role-poll-loop =
    The one thread of the epoll loop. It sleeps in the kernel until a socket
    is ready, so it uses no CPU while nothing happens.
explain-role-accept-and-serve =
    The first server's only thread: accept, then serve that client until it
    leaves. Meanwhile nobody else is accepted or answered.
explain-role-accept-spawn =
    It accepts and starts a thread per client, so accepting and receiving no
    longer get in each other's way.
explain-role-accept-queue = It accepts and puts each client in the queue for the pool's workers.
explain-role-client =
    A thread for one client, parked in recv most of the time. Each costs its
    stack's memory: as clients grow without bound, so does the memory.
explain-role-worker =
    One of a fixed number of workers: it serves one queued client after
    another, each until it leaves.
explain-role-busy-loop-lecture = { -nonblocking } › the listing; drawback 2

## queued, dequeued

explain-queued-call = queue #{ $conn } for a worker
explain-queued-returned = waiting in the work queue
explain-queued-meaning =
    Every worker is busy with a client, so #{ $conn } waits in the queue:
    accepted, but nobody reads from it yet. A pool caps the threads; past the
    cap, clients wait. It only limits the thread count.
explain-dequeued-call = { $thread } takes #{ $conn } from the work queue
explain-dequeued-returned = after { $waited } in the queue
explain-dequeued-meaning =
    A worker came free and took #{ $conn }. For { $waited } the client was
    accepted but nobody read from it: its data waited in the kernel's buffer.

## wakeup

explain-wakeup-call = epoll_wait() ×{ $count }
explain-wakeup-returned = { $ready } ready sockets
explain-wakeup-meaning =
    Multiplexing: the loop sleeps in the kernel until sockets are ready, and
    the kernel wakes it with a list of them. It asks only those, so it uses
    no CPU while nothing happens, unlike the busy loop, which asks every
    socket on every spin.

## sample

explain-sample-call = a reading of the server process
explain-sample-returned = RSS { $rss }, { $threads } threads
explain-sample-returned-queue = RSS { $rss }, { $threads } threads, listen queue { $queue }
explain-sample-returned-queue-max = RSS { $rss }, { $threads } threads, listen queue { $queue } of { $max }
explain-sample-meaning =
    The listen queue holds connections the kernel completed that nobody has
    accepted yet. When it is full the kernel drops new ones, a listen-queue
    overflow: the client's handshake goes unanswered and it retries a second
    later. Threads and memory show what each model costs.
explain-sample-lecture =
    { -really } › listen(5): a burst overflows the accept queue; { -blocking } ›
    2. multithreading (memory)

## kernel_queues

explain-kernelqueues-call = ioctl(SIOCINQ), ioctl(SIOCOUTQ) on each client socket
explain-kernelqueues-one = #{ $conn }: { $inq } waiting, { $outq } unacknowledged
explain-kernelqueues-many = { $count } connections changed
explain-kernelqueues-meaning =
    Bytes a client sent wait in the server's kernel until recv copies them to
    the application: that wait is recv's first phase, the copy its second.
    Replies the client's kernel has not taken wait on the server's side.
explain-kernelqueues-lecture = { -waits } › accept and recv: waiting for data, then copying it

## marker

explain-marker-call = M, pressed by the lecturer (no system call)
explain-marker-returned = a marker, { $note }
explain-marker-meaning =
    The lecturer's marker, dropped with M during the live run to find this
    moment again. It is in the recording (--record) in order with the
    server's events, and a replay jumps from marker to marker.
explain-marker-lecture = { -beyond }: the lecturer's own marks
