# 语言本身。
lang-name = 中文
lang-switched = 语言:{ $lang }

# 模型在屏幕上的名字(事件流里仍是代码)。
model-blocking = 阻塞
model-threaded = 多线程
model-pool = 线程池
model-nonblocking = 非阻塞
model-multiplex = 多路复用

# 页脚的按键。
footer-quit = 退出
footer-pause = 暂停
footer-resume = 继续
footer-play = 播放
footer-call = 单步调用
footer-spin = 单步一轮
footer-event = 下一事件
footer-client = 客户端
footer-reset-one = 重置一个
footer-demo = 演示
footer-model = 模型
footer-compare = 对比
footer-focus = 焦点
footer-explain = 解释
footer-code = 代码
footer-help = 帮助
footer-marks = 标记
footer-speed = 速度
footer-typing-note = 正在输入标记备注:每个键都是文字,直到 Enter 或 Esc

# 提示:按键为什么没起作用。
notice-no-builtin-clients = 没有连着的内置客户端:c 加一个会说话的,i 加一个空闲的
notice-no-chatty-clients = 没有会说话的内置客户端(空闲的不发消息):按 c 加一个
notice-no-clients-here = 内置客户端需要一个运行中的服务端
notice-step-needs-pause = n 和 N 单步执行暂停的循环:先按空格
notice-workers-need-pool = w 和 W 增减线程池模型的工作线程(按 m 切换)
notice-pool-cannot-grow = 线程池无法再扩大:已到上限,或线程没能启动
notice-pool-at-least-one = 线程池至少保留一个工作线程
notice-pool-queue-full = 队列里排满了客户端:等有空闲的工作线程再按 W
notice-spin-step-needs-loop = N 单步执行循环的一轮;线程模型没有轮:n 单步一次调用
notice-switch-failed = 无法切换到{ $model }:{ $error }
notice-replay = 回放中:{ $why }
notice-speed-needs-replay = [ ] 设置回放速度(ioscope replay FILE)
notice-seek-needs-replay = ← → Home End ' " 在回放中跳转(ioscope replay FILE)
notice-no-mark-after = 此后没有标记或备注
notice-no-mark-before = 此前没有标记或备注
notice-marker-not-recorded = 标记只在日志里:没有录制(serve --record FILE 会保存标记)

# 回放做不到、运行中的服务端能做的事。
replay-cant-switch-model = 模型按录制时的样子运行(m 只切换运行中的服务端)
replay-cant-slow-motion = [ ] 设置回放速度(- + 只让运行中的循环变慢)
replay-cant-backoff = 循环按录制时的方式退避
replay-cant-workers = 线程池的工作线程数与录制时相同
replay-cant-clients = 客户端都是录下来的(没有内置客户端)
replay-cant-markers = 标记只能在运行时添加(M,配合 --record)

# 回放的状态,跟在进度后面。
replay-live = 实时
replay-end = 结束
replay-end-why = 结束:{ $why }
# 跟随的数据流(replay -)在结尾之前停下的原因。
stream-cut = 第 { $line } 行不完整(已回放到第 { $whole } 行)
stream-read = 无法读取:{ $why }
stream-bad-line = 第 { $line } 行:{ $what }
stream-bad = { $what }
replay-paused = 已暂停

# 节奏:慢动作和忙循环的退避。
pace-full-speed = 全速
pace-slow-motion = 慢动作:每次调用 { $delay }
backoff-spin = 空闲时:继续空转
backoff-yield = 空闲时:让出 CPU
backoff-sleep = 空闲时:睡眠 { $sleep }

# 没有备注的标记。
marker-no-note = 无备注

# replay FILE --summary:每行一个标签,后面是数字。
summary-duration = 时长
summary-models = 模型
summary-connections = 连接数
summary-messages = 消息数
summary-resets = 重置数
summary-peak = 峰值
summary-dropped = 丢弃
summary-markers = 标记
summary-none = 无
summary-model-run = { $run } { $secs } s,{ $messages } 条消息
summary-peak-value = 每秒 { $spins } 轮循环,CPU { $cpu }%
summary-dropped-value = 服务端丢弃 { $server } 个,录制器丢弃 { $recorder } 个
