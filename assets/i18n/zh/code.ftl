# 代码面板(v):模型的循环代码。
code-title = 代码
code-none = 服务端循环运行后,它的代码显示在这里
code-mode-paused = · ‖ 已暂停:▶ 上一次调用
code-mode-slow = · 慢动作:▶ 上一次调用
code-mode-rates = · 每行:每秒执行次数
code-legend-calls = ▶ 调用  › 走过的分支  右侧:累计执行次数
code-legend-calls-threads = ▶ 调用  ◀ 阻塞在此的线程  右侧:累计执行次数
code-legend-rates = 右侧:最近一秒的执行次数
code-legend-rates-threads = ◀ 阻塞在此的线程  右侧:最近一秒的执行次数
code-more = 还有 { $n } 个

# 循环上一次调用的返回,写在那一行旁边。
returned-accepted-from = #{ $conn } 来自 { $peer }
returned-a-client = 一个客户端
returned-turned-away-flag = 被拒绝({ $flag })
returned-turned-away = 被拒绝
returned-an-error = 一个错误
returned-eof-data = b''(讲义代码当作数据)
returned-eof-closed = 0:已关闭
returned-kept-queued = 留下:{ $kept } 排队
returned-kept = 留下
returned-sent-kept = { $bytes } B,留下 { $kept }
returned-thrown-away = { $size } 被丢弃
returned-lost-size = 丢失 { $size }
returned-lost = 丢失
returned-ready = { $ready } 个就绪
returned-ready-in-wakeups = { $wakeups } 次唤醒共 { $ready } 个就绪
returned-queued = 排队
returned-dequeued = #{ $conn },等了 { $waited }
returned-after = 等了 { $waited }
returned-spawned = conn-{ $conn } 服务 #{ $conn }
returned-a-thread = 一个线程
returned-timed-out = 超时:断开
returned-dropped = 断开
returned-evicted = 断开:回复没人读
