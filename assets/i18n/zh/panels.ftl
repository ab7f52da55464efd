# 顶栏:什么在哪里运行,计数器,循环的开销。
header-running = 运行中
header-paused = 已暂停
header-starting = 启动中…
header-verbatim = 讲义代码原样:阻塞套接字
header-faithful = 照讲义代码
header-backlog = backlog { $backlog }
header-reachable = 本机以外也能连上
header-up = 已运行 { $clock }
header-clients = 客户端
header-threads-hold = 每个线程在下一次调用前停住
header-demo = 演示
header-accept-error = accept:{ $error },暂停接受连接
header-parked = 阻塞在 { $call },已 { $waited }
header-parked-on = 阻塞在 #{ $conn } 的 { $call },已 { $waited }
header-threads = 线程
header-virtual = 虚拟内存
header-per-thread = 每线程 { $size }
header-ready-per-wakeup = 每次唤醒就绪套接字 { $n }
header-workers = 工作线程 忙 { $busy } 闲 { $idle }
header-queued = 排队 { $n }
header-longest-wait = 最长等待 { $waited }
header-listen-queue = 监听队列
header-of-max = / { $max }
header-listen-queue-means = 已连接,未 accept
header-listen-queue-unknown = 本系统上无法得知
header-overflows = 内核丢弃
header-overflows-scope = 监听队列溢出,全系统
header-cpu-split-linux-only = 用户态/内核态拆分:仅 Linux
header-cpu-user = 用户态
header-cpu-sys = 内核态
header-dropped = 丢弃
header-slow-readers-dropped = 慢读者被断开
header-refused = 被拒绝
header-replies-lost = 回复丢失
cpu-of-a-core = (单核)

# 模型的循环每一次叫什么。
unit-spins = 循环
unit-spin = 循环
unit-wakeups = 唤醒
unit-wakeup = 唤醒
unit-recv-calls = recv 调用
unit-recv-call = recv 调用

# 多久以前;空闲多久(窄列)。
ago-now = 刚刚
ago-secs = { $n }秒前
ago-mins = { $n }分钟前
ago-hours = { $n }小时前
idle-secs = { $n }秒
idle-mins = { $n }分
idle-hours = { $n }时

# 已连接列表(connected_list)。
conns-title = 已连接列表
conns-of-accepted = 共 accept { $accepted } 个
conns-built-in = 内置
conns-none-yet = 还没有客户端
conns-none-now = 现在没有连着的客户端
conns-connect-with = 这样连接:
conns-col-conn = 连接
conns-col-peer = 对端
conns-col-recvq = recvq
conns-col-in = 收到
conns-col-out = 发出
conns-col-sendq = sendq
conns-col-idle = 空闲
conns-col-pend = 待发
conns-queued = 排队中
client-chatty = 会说话
client-idle = 空闲

# 讲义的 ready_send_list。
ready-title = 就绪发送列表
ready-every-spin = 每轮循环
ready-this-unit = 本次{ $unit }
ready-now = 现在
ready-one-unit-ago = 1 次{ $unit }前
ready-units-ago = { $n } 次{ $units }前
ready-n-ago = { $n } 次前
ready-queued = { $bytes } 排队
ready-empty = 最近一轮有回复的循环,它的回复显示在这里
ready-and-more = 还有 { $n } 个

# 已断开列表:每个客户端怎么离开的。
gone-title = 已断开列表
gone-empty = 关闭或重置的客户端显示在这里,最新的在上
gone-closed = 关闭
gone-reset = 重置
gone-evict = 断开
gone-ended = 结束
gone-count-closed = 关闭 { $n }
gone-count-reset = 重置 { $n }
gone-count-evicted = 断开 { $n }
gone-count-ended = 结束 { $n }
gone-reset-on = { $call } 遇到 { $error }
gone-unread-bytes = { $bytes } 没人读
gone-for-secs = 持续 { $secs } 秒
gone-send-timed-out = send 超时
gone-after-secs = { $secs } 秒后
gone-unread = 没人读
gone-at-total = 总量达 { $bytes }
gone-model-switched = 模型已切换
reset-listing-crashes = 讲义代码在这里崩溃
reset-no-thread = 没有线程处理它
evicted-stalled = { $bytes } 回复 { $secs } 秒没人读
evicted-send-timeout = 回复 { $secs } 秒没人读(send 超时)
evicted-total-cap = 回复 { $secs } 秒没人读,总量达上限 { $bytes }(--pending-total)
refused-max-conns = 已有 { $limit } 个客户端(--max-conns)
refused-max-conns-per-ip = 该地址已有 { $limit } 个客户端(--max-conns-per-ip)

# 事件日志。
log-title = 事件日志
log-scrolled-back = 往回 { $n } 行(End 回到最新)
log-verbatim = 讲义代码原样
log-listening = { $model } 监听 { $addr }
log-from = 来自 { $peer }
log-accept-waited = 排队 { $waited }
log-call-on = #{ $conn } 的 { $call }
log-spins = { $n } 轮循环
log-close-wait = 对端已关闭;讲义代码仍留着它
log-send-queued = { $bytes } 排队:内核缓冲区已满
log-orderly-close = 正常关闭
log-evicted = 断开:{ $why }
log-refused = { $peer } 被拒绝:{ $why }
log-lost = { $size } 回复被丢弃
log-lost-why = send 会阻塞
log-accept-error = { $error }:{ $ms } ms 内不 accept
log-loop-paused = 服务端循环已暂停
log-loop-resumed = 服务端循环已继续
log-thread-holds = { $thread } 在下一次调用前停住
log-thread-goes-on = { $thread } 继续
log-dropped = 丢弃了 { $n } 个事件
log-client = { $role }的内置客户端,来自 { $peer }
log-reply = { $peer } 收到回复,用时 { $rtt } µs
log-parks = { $thread } 阻塞在 { $call }
log-back-from = { $thread } 从 { $call } 返回,等了 { $waited }
log-thread-started = { $thread } 启动:
log-thread-ended = { $thread } 结束
log-queued = 在队列里等工作线程
log-dequeued = 被 { $thread } 取走,等了 { $waited }
log-wakeups = { $wakeups } 次唤醒,{ $ready } 个就绪套接字
log-threads = { $n } 个线程
log-kernel-queues = { $n } 个连接的内核队列有变化
role-busy-loop = 整个服务端,从不等待
role-poll-loop = 整个服务端,睡在 poll 里
role-accept-and-serve = accept,然后服务这个客户端
role-accept-spawn = accept,每个客户端开一个线程
role-accept-queue = accept,交给线程池排队
role-client-of = 服务 #{ $conn }
role-client = 服务一个客户端
role-worker = 线程池工作线程

# 日志的类型列:事件的名字(代码属于事件流)。
kind-listening = 监听
kind-accept = accept
kind-would_block = WouldBlock
kind-spin = 循环
kind-recv = recv
kind-send = send
kind-closed = 关闭
kind-reset = 重置
kind-lost = 丢失
kind-accept_error = accept 出错
kind-paused = 暂停
kind-resumed = 继续
kind-dropped = 丢弃
kind-client = 客户端
kind-evicted = 断开
kind-refused = 拒绝
kind-reply = 回复
kind-blocked = 阻塞
kind-unblocked = 返回
kind-thread = 线程
kind-queued = 排队
kind-dequeued = 出队
kind-wakeup = 唤醒
kind-sample = 采样
kind-pace = 节奏
kind-kernel_queues = 内核队列
kind-accept_wait = accept 等待
kind-marker = ◆ 标记

# 历史。
history-title = 历史
history-max = 最高 { $n }

# 线程模型的面板。
threads-title = 线程
threads-queue = 队列 { $n }
threads-workers = 忙 { $busy } 闲 { $idle }
threads-started-ended = 启动 { $started },结束 { $ended }
threads-legend = 阻塞时长 · 阻塞在
threads-queued = 排队中
threads-no-free-worker = 没有空闲的工作线程
threads-paused = 已暂停
threads-running = 运行中
threads-none-yet = 还没有服务端线程

# 对比(t)。
compare-title = 模型对比
compare-closes = t 或 Esc 关闭 · m 切换模型
compare-faithful = 照讲义
compare-model = 模型
compare-ran = 运行
compare-cpu = CPU s/1k
compare-messages = 消息
compare-rtt-p50 = RTT p50
compare-rtt-p99 = RTT p99
compare-threads = 线程
compare-rss = RSS
compare-idle-cpu = 空闲 CPU
compare-note = CPU s/1k:每千条消息的服务端 CPU 秒数。RTT:内置客户端的往返时间(c 加一个,s 让它们说话)。线程、RSS:见过的最大值。空闲 CPU:无消息的整秒里占单核的百分比(不计暂停的秒和每次运行的第一秒)。运行:总时长,运行 N 次标 ×N。

# 全场猜(f)。
predict-title = 全场来猜
predict-question = { $call } —— 会返回什么?
predict-guess-hint = 1–4 记一票 · r 揭晓
predict-next-hint = n:下一次调用(或慢动作:-) · f:关闭猜测
predict-waiting = 下一次调用的结果在这里等着 r 揭晓。
predict-last = 上一题:
predict-new-client = 一个新客户端
predict-accept-error = 一个错误(EMFILE…)
predict-data = 数据
predict-closed = 0:已关闭
predict-reset = 重置
predict-all = 全部发出
predict-part = 只发出一部分
predict-no-guesses = 没有记票
predict-guessed-right = { $n } 票中 { $right } 票猜对

# 回放的备注;标记备注的输入框(M)。
replay-note-title = 备注
note-title = 标记备注(Enter 打下标记,Esc 取消)
