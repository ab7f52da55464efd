# 解释面板（在日志行上按 Enter）：每种事件是什么调用、返回了什么、
# 意味着什么，以及属于讲义（io-model.zh.md）的哪一部分。
#
# 用讲义自己的术语。系统调用名、errno 名和代码（recv()、EAGAIN、
# WouldBlock、b''）保持原样。中文与英文、数字之间留一个空格。
# 不用宽度不定的字符（“”、——、…）：在中文终端里它们可能占两列，
# 会把面板的边框挤歪；引号用「」。
#
# 消息内换行：两个汉字之间什么也不加，英文单词之间是一个空格。

## 面板的框架。

explain-title = 解释：{ $kind }
explain-closes = ↑ ↓ 换一行 · Enter 或 Esc 关闭
explain-label-call = 调用
explain-label-returned = 返回
explain-label-meaning = 含义
explain-label-lecture = 讲义

## 讲义的章节。

-waits = 套接字服务端要等待的IO操作
-blocking = 阻塞IO模型
-nonblocking = 非阻塞IO模型
-really = 讲义代码实际做了什么
-beyond = 讲义之外

# 各模型自己的循环所属的章节。
explain-section-blocking = { -blocking } › 1. 最初的套接字服务端
explain-section-threaded = { -blocking } › 2. 多线程
explain-section-pool = { -blocking } › 3. 线程池
explain-section-nonblocking = { -nonblocking } › 讲义代码
explain-section-multiplex = { -beyond }：IO多路复用（epoll），缺点2的解决办法
# 挂在阻塞调用里的线程，模型未知。
explain-section-blocking-io = { -blocking }

## 几处解释共用的词。

explain-and = { $first }，{ $last }
explain-and-more = { $first }，{ $next }
explain-bytes = { $count } 字节
explain-data = { $bytes } "{ $preview }"
explain-zero-bytes = 0 字节
explain-cpu = CPU 时间 { $cpu }（其中内核态 { $sys }）

# 讲义代码里的写法。
explain-call-accept = accept()
explain-call-recv-any = recv(1024)
explain-call-send-any = send()
explain-call-recv = #{ $conn } 上的 recv(1024)
explain-call-send = #{ $conn } 上的 send()
explain-call-queue = 在任务队列上等下一个客户端
# 线程里的一个阻塞调用。
explain-call-in-thread = 线程 { $thread }：{ $call }

# 阻塞的调用在等什么（接在「直到」后面）……
explain-waits-accept = 有客户端连进来
explain-waits-recv = 客户端发来数据（或关闭连接）
explain-waits-send = 内核的发送缓冲区重新有了空间
explain-waits-queue = 有客户端被 accept 线程放进队列
# ……以及它返回时发生了什么。
explain-waited-accept = 有客户端连进来了
explain-waited-recv = 客户端发来了数据（或关闭了连接）
explain-waited-send = 内核的发送缓冲区又有了空间
explain-waited-queue = 有客户端被 accept 线程放进了队列

# errno，以及 Python 为它抛出的异常。
explain-errno-econnreset = ECONNRESET（Python 中为 ConnectionResetError）
explain-errno-epipe = EPIPE（Python 中为 BrokenPipeError）
explain-errno-emfile = EMFILE（Python 中为 OSError：打开的文件太多）
explain-errno-other = { $error }

# 一句话说明一个模型。
explain-model-blocking = 阻塞IO，单线程，accept 一个客户端后一直为它服务，直到它离开
explain-model-threaded = 多线程，一个 accept 线程，加上每个客户端一个线程
explain-model-pool = 线程池，一个 accept 线程，加上固定数量的工作线程，由队列分派客户端
explain-model-nonblocking = 非阻塞IO，讲义的循环，一遍又一遍地轮流询问每个套接字
explain-model-multiplex = IO多路复用，一个线程睡在 epoll 里，直到有套接字就绪

## listening

explain-listening-call = socket(), bind({ $addr }), listen({ $backlog })
explain-listening-returned = 在 { $addr } 上监听
explain-listening-meaning =
    服务端已经 bind 并开始 listen：从现在起，内核自己完成连接的建立，并在监听
    队列里最多保留约 { $backlog } 个连接，等 accept 来取。模型：{ $model }。
explain-listening-faithful = --faithful：讲义代码原样运行，连同它的 bug。

## accept

explain-accept-returned = 新的套接字 #{ $conn }，来自 { $peer }
explain-accept-meaning =
    内核早已完成握手，并把连接放在监听队列里；accept 只是把它取出来，
    分配一个文件描述符。
explain-accept-blocking =
    现在这唯一的线程会一直为这个客户端服务，直到它离开：这期间不会再接受
    任何别的客户端。
explain-accept-threaded = accept 线程为它启动一个线程，然后回去继续 accept。
explain-accept-pool = accept 线程把它放进队列交给工作线程，然后回去继续 accept。
explain-accept-multiplex =
    epoll 已经报告监听套接字就绪，所以 accept 不会阻塞；新的套接字也交给
    epoll 监视。
explain-accept-nonblocking =
    在讲义代码里，它被加入已连接列表（connected_list）；每一轮循环都先尝试
    accept。
explain-accept-lecture = { -waits } › accept；{ $section }

## would_block

explain-wouldblock-call-none = 非阻塞调用
explain-wouldblock-call = 非阻塞的 { $calls }
# 一个调用有几次本会阻塞（$call：accept()、recv()、send()）。
explain-wouldblock-count = { $call } ×{ $count }
explain-wouldblock-returned = WouldBlock (EAGAIN) ×{ $count }
# 每个调用为什么本会阻塞。
explain-why-accept = 没有新的客户端在等待 accept
explain-why-recv = 没有客户端发来新数据
explain-why-send = 内核的发送缓冲区已满
explain-wouldblock-meaning =
    现在还没有，稍后再问。内核立即这样回答（Python 中抛出
    BlockingIOError），而不是让循环原地等待。
explain-wouldblock-meaning-why =
    现在还没有，稍后再问：{ $why }。内核立即这样回答（Python 中抛出
    BlockingIOError），而不是让循环原地等待。
explain-wouldblock-then-loop =
    循环不会停下来等：它接着往下走，下一轮再问。一遍又一遍地问，大多是白问，
    正是这让一个 CPU 核一直忙着（缺点2）。
explain-wouldblock-then-epoll =
    epoll 循环会一直读一个就绪的套接字，直到它这样回答：这时就知道套接字里的
    数据已经读完，于是睡下，等内核来唤醒。
explain-wouldblock-lecture = { -nonblocking } › 讲义代码：except BlockingIOError；缺点2

# 单独显示的一个本会阻塞的调用（$call：accept、recv、send）。
explain-wouldblockon-returned = WouldBlock (EAGAIN)
explain-wouldblockon-call = 非阻塞的 { $call }()
explain-wouldblockon-call-on = #{ $conn } 上非阻塞的 { $call }()
explain-wouldblockon-recv =
    客户端还没有发来新数据，数据还在路上（等待数据阶段），所以没有什么可以
    拷贝
explain-wouldblockon-recv-on =
    #{ $conn } 的客户端还没有发来新数据，数据还在路上（等待数据阶段），所以
    没有什么可以拷贝
explain-wouldblockon-send-on = #{ $conn } 的内核发送缓冲区已满
explain-wouldblockon-meaning =
    现在还没有，稍后再问：{ $why }。内核立即这样回答（Python 中抛出
    BlockingIOError），而不是让循环原地等待；单步或慢动作时，每个这样的回答
    都单独显示一行。
explain-wouldblockon-lecture = { -nonblocking } › 讲义代码：except BlockingIOError

## accept_wait

explain-acceptwait-call = #{ $conn } 的 accept()，事后测得
explain-acceptwait-returned = 它在监听队列里等了 { $ms } ms
explain-acceptwait-meaning =
    内核自己完成了连接的建立（握手），并把它放在监听队列里，直到服务端调用
    accept。这个时间由采样线程（而不是循环本身）从该套接字的最后一个数据包
    算起：如果期间客户端发过数据，它只是一个下限。忙循环正在别处忙时，应答
    就会迟到。
explain-acceptwait-lecture = { -nonblocking } › 缺点1：新的连接得不到及时响应

## pace

explain-pace-call = 观看者设置的节奏（- + b）
# $speed：全速或慢动作，$backoff：空转一轮之后做什么。
explain-pace-returned = { $speed } · { $backoff }
explain-pace-meaning =
    慢动作在每次系统调用之前都停一下，让全场看清每一个调用；调用本身都是真实
    的。退避是忙循环在一轮什么也没等到之后的做法：继续空转（一个核 100%）、
    让出 CPU 核，或者睡眠，CPU 占用降下来，应答却来得更晚。epoll（IO多路复用）
    才是真正的答案：它睡在内核里，直到有套接字就绪。
explain-pace-lecture = { -nonblocking } › 缺点2

## spin

# $unit：wakeups（多路复用）或 recv calls（多线程）。
explain-spin-count = { $spins } { $unit }
explain-spin-threads =
    每次阻塞的 recv 只返回一次，带回数据或者关闭：没有一次是白问，挂起的线程
    在等待时也不占 CPU。
explain-spin-epoll =
    每次唤醒就是 epoll_wait 的一次返回，带回已就绪的套接字：循环只问这些，
    其余时间都在睡眠。它的 CPU 花在实事上，而不是白白地问。
explain-spin-call = while True 循环转了 { $spins } 轮
explain-spin-meaning =
    一轮就是循环走一遍：先尝试 accept，再对每个已连接的套接字 recv，然后把
    准备好的回复 send 出去。每一轮都要问遍每个套接字有没有数据，即使什么都
    没有，所以循环从不停歇：它的 CPU 大多花在这些调用本身上，花在内核里。
explain-spin-empty =
    其中 { $count } 次 recv 从已关闭的客户端读到 b''，又用空的 send 回应
    （CLOSE-WAIT）。
explain-spin-lecture = { -nonblocking } › 缺点2（形成死循环，白白消耗 CPU）

## recv

explain-recv-eof-returned = 0 字节（b''）
explain-recv-eof-meaning =
    0 字节表示客户端关闭了它那一端：它发来了 FIN。讲义代码不检查 b''：把它当作
    数据，回发 b''，并保留这个连接。套接字停在 CLOSE-WAIT，文件描述符泄漏，
    之后每一轮 recv 都会再次返回 b''。
explain-lecture-orderly-close = { -really } › 正常关闭让 recv 返回 b''
explain-recv-threads =
    线程在 recv 里一直等，直到客户端的字节经过网络到达内核（第1阶段：等待
    数据）；然后 recv 把它们拷贝进应用程序（第2阶段：拷贝数据）。等待期间，
    这个线程什么别的事也做不了。
explain-recv-loop =
    数据早已到达：第1阶段「等待数据」是在内核里完成的，那时循环在做别的事。
    recv 只做了第2阶段「拷贝数据」：把字节从内核的缓冲区拷贝到应用程序。回复
    data.upper() 被放进就绪发送列表（ready_send_list）。
explain-recv-epoll =
    数据早已到达：第1阶段「等待数据」是在内核里完成的，那时循环在做别的事
    （epoll 报告了这个套接字就绪）。recv 只做了第2阶段「拷贝数据」：把字节从内核的缓冲区
    拷贝到应用程序。回复 data.upper() 被放进就绪发送列表（ready_send_list）。
explain-recv-lecture = { -waits } › recv：1、等待数据，2、拷贝数据；{ $section }

## send

explain-send-empty-call = #{ $conn } 上的 send(b'')
explain-send-empty-meaning =
    空的发送：讲义代码对 recv 到的 b''（客户端已关闭）用 send(b'') 回应，而它
    什么也不发。套接字停在 CLOSE-WAIT 期间，每一轮都会重来一次。
explain-send-all-returned = { $data }，全部发出
explain-send-all-meaning =
    send 把回复拷贝进内核的发送缓冲区，随即返回。接下来的发送就交给操作系统、
    网卡和物理传输了：服务端不等客户端收到。
explain-send-lecture = { -waits } › send
explain-send-wouldblock = WouldBlock (EAGAIN)：0 字节
explain-send-partial-returned = { $sent }；还有 { $pending }在排队
explain-send-partial-meaning =
    部分发送：#{ $conn } 的内核发送缓冲区满了，因为客户端读回复的速度赶不上
    回复产生的速度。内核收下了放得下的部分；其余的在服务端的队列里等着，有了
    空间再发。照原样的讲义代码则会把它丢掉。
explain-send-partial-lecture = { -waits } › send；{ -really } › 会阻塞的回复被丢弃

## closed

explain-closed-meaning =
    0 字节：客户端关闭了它那一端的连接，发来了 FIN。这是正常关闭，不是错误：
    不会再有数据来了。服务端也关闭了自己这一端，并把 #{ $conn } 从已连接列表
    中删除；照原样的讲义代码则会把 b'' 当作数据。
explain-closed-lecture = { -waits } › recv；{ -really } › 正常关闭让 recv 返回 b''

## reset

explain-reset-econnreset =
    客户端重置了连接：它发来了 RST。它是突然离开的（关闭时还有数据没读，或者
    崩溃了），而不是正常关闭。#{ $conn } 上再也不能收发任何数据，服务端丢弃
    这个连接。
explain-reset-epipe =
    客户端早已离开（它的 RST 先到了），所以服务端的 send 无处可去：管道破裂
    （broken pipe）。服务端丢弃 #{ $conn }。
explain-reset-other = { $error }：调用彻底失败，服务端丢弃 #{ $conn }。
explain-reset-listing-crashes =
    讲义代码在 send 处不捕获这个错误：照原样运行，整个服务端会在这里崩溃。
explain-reset-listing-recv =
    讲义代码在 recv 处捕获 ConnectionResetError，等这一轮循环结束后再删除这个
    客户端（dis_conn_list）。
explain-reset-lecture-send = { -really } › send 可能抛出 ConnectionResetError 或 BrokenPipeError
explain-reset-lecture-recv = { -nonblocking } › 讲义代码：except ConnectionResetError
explain-reset-lecture = { -waits }；{ $section }
explain-reset-no-thread =
    无法为 #{ $conn } 启动线程（{ $error }），所以服务端立即关闭了它。客户端
    无限增多时，每个客户端一个线程的做法终会耗尽资源：线程数，以及线程栈占用的
    内存。

## evicted

explain-evicted-call-timeout = #{ $conn } 上的 send()，然后 close()
explain-evicted-call = 服务端主动 close() #{ $conn }
explain-evicted-meaning =
    客户端不再读取回复，回复就堆积起来：先是在内核的发送缓冲区里，然后在服务端
    的队列里。
explain-evicted-timeout =
    线程里阻塞的 send 为等空间等了这么久，于是服务端放弃了这个客户端。
explain-evicted-stalled = 回复这么久都没有被读走，于是服务端丢弃了这个客户端。
explain-evicted-memory =
    服务端要是永远留着它们，一个客户端就能让它耗尽内存。
explain-evicted-lecture =
    { -waits } › send（内核的缓冲区已满）；{ -beyond }：讲义代码没有上限

## refused

explain-refused-call = accept()，然后立即 close()
explain-refused-returned = 拒绝了 { $peer }：{ $why }
# $scope：all（--max-conns）或 ip（--max-conns-per-ip）。
explain-refused-meaning =
    { $scope ->
        [ip] 来自这个地址的客户端已经有 { $limit } 个
       *[all] 已经有 { $limit } 个客户端
    }连着了，所以服务端接受这个连接后立即关闭了它。有了上限，一波突发的客户端
    就不能占光所有的文件描述符和全部内存；讲义代码没有上限。
explain-refused-lecture =
    { -blocking } › 2. 多线程（客户端无限增多）；{ -beyond }：讲义代码没有的上限

## lost

explain-lost-returned = WouldBlock (EAGAIN)：丢掉了 { $size } 的回复
explain-lost-meaning =
    #{ $conn } 的内核发送缓冲区满了，于是 send 抛出 BlockingIOError，而讲义
    代码只是 pass。就绪发送列表（ready_send_list）每一轮都重新建立，所以没有
    谁会重发这个回复：它丢了。不加 --faithful 时，服务端会留着它，稍后再发。
explain-lost-lecture = { -really } › send 抛出 WouldBlock 时，回复被丢弃

## accept_error

explain-accepterror-nofile =
    文件描述符用完了：进程（EMFILE）或整个系统（ENFILE）打开的文件数已经达到
    上限，新的连接分不到描述符。每个已连接的客户端、每个泄漏的 CLOSE-WAIT
    套接字，都占着一个描述符。连接留在监听队列里，服务端暂停 accept { $ms } ms，
    而不是立刻再失败一次。
explain-accepterror-other =
    accept 失败了，错误是 { $error }，不是 WouldBlock：服务端暂停 accept
    { $ms } ms，然后再试。讲义代码在这里只捕获 BlockingIOError：它会崩溃。
explain-accepterror-lecture-nofile =
    { -nonblocking } › 讲义代码：server.accept()；{ -really } › 文件描述符泄漏
    （CLOSE-WAIT）
explain-accepterror-lecture = { -nonblocking } › 讲义代码：server.accept()

## paused

explain-paused-call = ioscope 的暂停（空格键）
explain-paused-meaning =
    服务端线程真的在下一次调用之前停住了：它挂起，不占 CPU，所以你看的时候
    计数器和历史曲线都静止不动。暂停时，按 n 让它再做一次系统调用，按 N 让它
    再跑一轮。
explain-resumed-meaning = 线程从挂起的地方接着运行，执行它的下一次调用。
explain-paused-lecture = { -beyond }：ioscope 自己的控制

## dropped

explain-dropped-call = ioscope 的探针
explain-dropped-returned = { $count } 个事件没有送达
explain-dropped-meaning =
    服务端产生事件的速度超过了仪表盘接收的速度，两者之间的通道满了。探针从不让
    服务端等待：它丢弃这个事件并计数。服务端什么也没丢；丢的只是这个视图。
explain-dropped-lecture = { -beyond }：ioscope 如何观察

## client

explain-client-call = connect()，由内置客户端发起
explain-client-returned = 从 { $peer } 连入
explain-client-chatty =
    仪表盘自带的客户端之一，就像讲义里的客户端：每隔几秒发一行，然后等待转成
    大写的回复（先 send，再 recv）。
explain-client-idle =
    仪表盘自带的客户端之一：它连上以后什么也不发，就像一个从不打字的用户。照
    原样的讲义代码会阻塞在这种客户端的 recv 上，整个循环随之卡死。
explain-client-lecture = { -nonblocking } › 客户端
explain-client-lecture-idle = { -nonblocking } › 客户端；{ -really } › 它会阻塞

## reply

explain-reply-call = 内置客户端 { $peer } 里的 recv()
explain-reply-returned = { $rtt } 后收到完整的回复
explain-reply-meaning =
    客户端眼里的一次往返：从它 send 到收到回复的最后一个字节。其中包括服务端
    轮到这个客户端所花的时间：忙循环要挨个问许多套接字，线程要被唤醒，工作线程
    要空出来。
explain-reply-lecture = { -nonblocking } › 客户端；缺点1

## blocked, unblocked

explain-blocked-returned = 还没有：线程挂起了
explain-blocked-meaning =
    阻塞调用：线程就在原地（在内核里）等待结果，不运行后面的程序，直到{ $until }。
    等待时不占 CPU，但这期间它也不能为别人服务。
explain-unblocked-returned = { $waited } 之后
explain-unblocked-meaning =
    线程在 { $waited } 之后从阻塞调用中返回：{ $what }。这段时间里它一直挂起，
    没有为别人服务。

## thread

explain-thread-start = 启动线程：{ $thread }
explain-thread-end = 线程结束：{ $thread }
explain-thread-ended =
    线程结束了：它的客户端离开了，或者切换了模型。它的栈所占的内存被归还。
# 每种角色的线程做什么，代价是什么。
explain-role-busy-loop =
    非阻塞循环的唯一线程。它从不等待，所以即使没有任何客户端连着，也让一个
    CPU 核一直忙着。
explain-role-poll-loop =
    epoll 循环的唯一线程。它睡在内核里，直到有套接字就绪，所以没事发生时不占
    CPU。
explain-role-accept-and-serve =
    最初那个服务端的唯一线程：accept，然后一直为这个客户端服务，直到它离开。
    这期间不会接受或应答任何别的客户端。
explain-role-accept-spawn =
    它负责 accept，并为每个客户端启动一个线程，这样建立连接和接收数据就互不
    影响了。
explain-role-accept-queue = 它负责 accept，并把每个客户端放进队列，交给线程池里的工作线程。
explain-role-client =
    服务一个客户端的线程，大部分时间挂起在 recv 里。每个线程都占着自己的栈内存：
    客户端无限增多，内存也跟着增长。
explain-role-worker =
    固定数量的工作线程之一：它从队列里取出一个又一个客户端，每个都服务到它离开
    为止。
explain-role-busy-loop-lecture = { -nonblocking } › 讲义代码；缺点2

## queued, dequeued

explain-queued-call = 把 #{ $conn } 放进队列，等工作线程
explain-queued-returned = 在任务队列里等待
explain-queued-meaning =
    每个工作线程都在忙着服务客户端，所以 #{ $conn } 在队列里等：连接已被接受，
    但还没有人读它。线程池限制了线程数；超出上限的客户端只能等。它只是控制了
    开启线程的数量。
explain-dequeued-call = { $thread } 从任务队列里取出 #{ $conn }
explain-dequeued-returned = 在队列里等了 { $waited }
explain-dequeued-meaning =
    一个工作线程空了出来，取走了 #{ $conn }。在这 { $waited } 里，客户端已被
    接受，却没有人读它：它的数据在内核的缓冲区里等着。

## wakeup

explain-wakeup-call = epoll_wait() ×{ $count }
explain-wakeup-returned = { $ready } 个就绪的套接字
explain-wakeup-meaning =
    IO多路复用：循环睡在内核里，直到有套接字就绪，内核再带着就绪套接字的列表
    唤醒它。它只问这些套接字，所以没事发生时不占 CPU；不像忙循环，每一轮都要
    问遍所有套接字。

## sample

explain-sample-call = 对服务端进程的一次读数
explain-sample-returned = RSS { $rss }，{ $threads } 个线程
explain-sample-returned-queue = RSS { $rss }，{ $threads } 个线程，监听队列 { $queue }
explain-sample-returned-queue-max = RSS { $rss }，{ $threads } 个线程，监听队列 { $queue }/{ $max }
explain-sample-meaning =
    监听队列里放着内核已经建立、但还没有被 accept 取走的连接。队列满了，内核
    就丢弃新的连接，即监听队列溢出：客户端的握手得不到应答，一秒后才重试。
    线程数和内存显示了每种模型的代价。
explain-sample-lecture =
    { -really } › listen(5)：一波突发连接会让 accept 队列溢出；{ -blocking } ›
    2. 多线程（内存）

## kernel_queues

explain-kernelqueues-call = 对每个客户端套接字调用 ioctl(SIOCINQ)、ioctl(SIOCOUTQ)
explain-kernelqueues-one = #{ $conn }：{ $inq }等待读取，{ $outq }未被确认
explain-kernelqueues-many = { $count } 个连接有变化
explain-kernelqueues-meaning =
    客户端发来的字节在服务端的内核里等着，直到 recv 把它们拷贝给应用程序：这段
    等待就是 recv 的第一阶段，拷贝是第二阶段。客户端的内核还没收下的回复，则在
    服务端这边等着。
explain-kernelqueues-lecture = { -waits } › accept 和 recv：先等待数据，再拷贝数据

## marker

explain-marker-call = M，讲师按下的（不是系统调用）
explain-marker-returned = 一个标记，{ $note }
explain-marker-meaning =
    讲师在现场运行时用 M 打下的标记，方便以后再找到这一刻。它和服务端的事件
    按顺序一起记在录像（--record）里，回放时可以从一个标记跳到下一个。
explain-marker-lecture = { -beyond }：讲师自己的标记
