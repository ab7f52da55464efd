# The language itself.
lang-name = English
lang-switched = language: { $lang }
