//! The words on screen, in the viewer's language: every string a user
//! reads is a message of [Project Fluent](https://projectfluent.org/)'s,
//! looked up here by its id ([`tr`], or [`t!`](crate::t) with arguments).
//!
//! The messages live in `assets/i18n/<lang>/<area>.ftl`, one file an area
//! of the program in each language, built into the binary. English is the
//! reference; a message missing in another language shows in English (and
//! a test fails: every id is in every language). The events, the stream
//! and recordings carry codes, never words: they stay language-neutral.
//!
//! [`Lang::Pseudo`] is for tests: every message is English marked
//! `⟦…⟧`, so a render shows what did not go through here.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::FluentValue;

/// A language the screen speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    En,
    Zh,
    /// English, each message marked `⟦…⟧` (tests).
    Pseudo,
}

impl Lang {
    /// The languages a viewer can choose (`--lang`, `L`).
    pub const SPOKEN: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The next language `L` switches to.
    pub fn next(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh | Lang::Pseudo => Lang::En,
        }
    }

    /// `en`, `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
            Lang::Pseudo => "en-x-pseudo",
        }
    }

    /// The language a locale name speaks (`zh_CN.UTF-8`, `zh-Hans`, `C`,
    /// `en_GB`): Chinese for `zh…`, English for anything else.
    pub fn of_locale(locale: &str) -> Option<Lang> {
        let name = locale.trim().to_ascii_lowercase();
        if name.is_empty() {
            None
        } else if name.starts_with("zh") {
            Some(Lang::Zh)
        } else {
            Some(Lang::En)
        }
    }

    /// The language of the first locale in `locales` (in the order the
    /// environment gives them: `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`,
    /// `LANG`), English if none.
    pub fn from_locales(locales: impl IntoIterator<Item = String>) -> Lang {
        locales
            .into_iter()
            .find_map(|l| Lang::of_locale(&l))
            .unwrap_or_default()
    }

    /// The environment's language (read by `sys-locale`).
    pub fn from_env() -> Lang {
        Lang::from_locales(sys_locale::get_locales())
    }
}

/// The areas of the program, one `.ftl` file each in every language.
macro_rules! areas {
    ($($area:literal),* $(,)?) => {
        /// The messages of every area, by language: (area, English, Chinese).
        pub const SOURCES: &[(&str, &str, &str)] = &[$((
            $area,
            include_str!(concat!("../../assets/i18n/en/", $area, ".ftl")),
            include_str!(concat!("../../assets/i18n/zh/", $area, ".ftl")),
        )),*];
    };
}

areas!["app", "explain", "look", "help", "panels", "code"];

struct Bundles {
    en: FluentBundle<FluentResource>,
    zh: FluentBundle<FluentResource>,
}

fn bundle(
    lang: &str,
    pick: impl Fn(&(&str, &'static str, &'static str)) -> &'static str,
) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.parse().expect("a valid language id");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // A terminal shows Unicode isolation marks as boxes or gaps.
    bundle.set_use_isolating(false);
    for source in SOURCES {
        let resource = FluentResource::try_new(pick(source).to_string())
            .unwrap_or_else(|(_, errors)| panic!("{lang}/{}.ftl: {errors:?}", source.0));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("{lang}/{}.ftl: {errors:?}", source.0));
    }
    bundle
}

static BUNDLES: LazyLock<Bundles> = LazyLock::new(|| Bundles {
    en: bundle("en", |s| s.1),
    zh: bundle("zh", |s| s.2),
});

/// The message `id` in `lang`, with `args`; English where `lang` lacks it;
/// the id itself where no language has it (a test catches that first).
pub fn tr_args(lang: Lang, id: &str, args: Option<&FluentArgs>) -> Cow<'static, str> {
    let bundles = &*BUNDLES;
    let own = match lang {
        Lang::Zh => &bundles.zh,
        Lang::En | Lang::Pseudo => &bundles.en,
    };
    let found = [own, &bundles.en].into_iter().find_map(|b| {
        let pattern = b.get_message(id)?.value()?;
        let mut errors = Vec::new();
        Some(b.format_pattern(pattern, args, &mut errors))
    });
    let text = found.unwrap_or(Cow::Owned(id.to_string()));
    match lang {
        Lang::Pseudo => Cow::Owned(format!("⟦{text}⟧")),
        _ => text,
    }
}

/// The message `id` in `lang`.
pub fn tr(lang: Lang, id: &str) -> Cow<'static, str> {
    tr_args(lang, id, None)
}

/// `t!(lang, "id")`, or with arguments `t!(lang, "id", count = 3, model =
/// "pool")`: the message in `lang`, as a `Cow<'static, str>`.
#[macro_export]
macro_rules! t {
    ($lang:expr, $id:expr) => {
        $crate::i18n::tr($lang, $id)
    };
    ($lang:expr, $id:expr, $($key:ident = $value:expr),+ $(,)?) => {{
        let mut args = ::fluent_bundle::FluentArgs::new();
        $(args.set(stringify!($key), $crate::i18n::FluentValue::from($value));)+
        $crate::i18n::tr_args($lang, $id, Some(&args))
    }};
}

/// The message ids of a `.ftl` source.
pub fn ids(source: &str) -> Vec<String> {
    use fluent_syntax::ast::Entry;
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
    resource
        .entries()
        .filter_map(|e| match e {
            Entry::Message(m) => Some(m.id.name.to_string()),
            Entry::Term(t) => Some(format!("-{}", t.id.name)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_in_every_language_and_nothing_else() {
        for (area, en, zh) in SOURCES {
            let (mut en, mut zh) = (ids(en), ids(zh));
            en.sort();
            zh.sort();
            let missing: Vec<_> = en.iter().filter(|id| !zh.contains(id)).collect();
            let extra: Vec<_> = zh.iter().filter(|id| !en.contains(id)).collect();
            assert!(missing.is_empty(), "zh/{area}.ftl lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "zh/{area}.ftl has what en lacks: {extra:?}"
            );
        }
    }

    #[test]
    fn every_source_parses_whole() {
        for (area, en, zh) in SOURCES {
            for (lang, text) in [("en", en), ("zh", zh)] {
                if let Err((_, errors)) = FluentResource::try_new(text.to_string()) {
                    panic!("{lang}/{area}.ftl: {errors:?}");
                }
            }
        }
    }

    #[test]
    fn the_locale_picks_the_language() {
        let of = |names: &[&str]| Lang::from_locales(names.iter().map(|s| s.to_string()));
        assert_eq!(of(&["zh_CN.UTF-8"]), Lang::Zh);
        assert_eq!(of(&["zh-Hans-CN"]), Lang::Zh);
        assert_eq!(of(&["zh_TW"]), Lang::Zh);
        assert_eq!(of(&["C"]), Lang::En);
        assert_eq!(of(&["en_GB.UTF-8", "zh_CN"]), Lang::En);
        assert_eq!(of(&["", "zh_CN"]), Lang::Zh);
        assert_eq!(of(&[]), Lang::En);
    }

    #[test]
    fn messages_take_their_arguments_and_the_pseudo_language_marks_them() {
        assert_eq!(t!(Lang::En, "lang-name"), "English");
        assert_eq!(t!(Lang::Zh, "lang-name"), "中文");
        assert_eq!(t!(Lang::Pseudo, "lang-name"), "⟦English⟧");
        assert_eq!(
            t!(Lang::En, "lang-switched", lang = "中文"),
            "language: 中文"
        );
        assert_eq!(
            t!(Lang::Zh, "lang-switched", lang = "English"),
            "语言:English"
        );
        assert_eq!(t!(Lang::En, "no-such-message"), "no-such-message");
    }
}
