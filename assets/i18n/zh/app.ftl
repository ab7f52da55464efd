# 语言本身。
lang-name = 中文
lang-switched = 语言:{ $lang }
