//! Which path classes an operand may belong to, judged before the shell expands it.
//!
//! Unexpanded text is read pessimistically: `~` and `$HOME` are home, `$DIR/` may be
//! anything, `/var/*` is every child of `/var`.

use super::raw::PathClass;
use crate::parse::Word;

const SYSTEM: &[&str] = &[
    "/etc",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/boot",
    "/var",
    "/opt",
    "/srv",
    "/sys",
    "/proc",
    "/dev",
    "/Library",
    "/System",
    "/Applications",
    "/private",
];

/// Data of the system's services and mounted storage: every depth counts.
const SYSTEM_DATA: &[&str] = &[
    "/var/lib",
    "/var/www",
    "/var/opt",
    "/var/backups",
    "/var/mail",
    "/srv",
    "/mnt",
    "/media",
    "/Volumes",
];

/// Below [`SYSTEM_DATA`], what package managers and containers clean as routine.
const SYSTEM_SCRATCH: &[&str] = &["/var/lib/apt/lists", "/var/lib/dpkg/lock"];

/// Below a home directory, what tools rebuild: caches, toolchains' downloads, build output.
const HOME_SCRATCH: &[&str] = &[
    ".cache",
    ".npm",
    ".yarn",
    ".pnpm-store",
    ".bun/install/cache",
    ".cargo/registry",
    ".cargo/git",
    ".rustup/downloads",
    ".rustup/tmp",
    ".gradle",
    ".m2/repository",
    ".ivy2/cache",
    ".nuget/packages",
    ".local/share/Trash",
    ".Trash",
    "Library/Caches",
    ".pyenv/cache",
    ".node-gyp",
    ".electron",
    ".expo",
    ".android/cache",
    "go/pkg/mod/cache",
    ".terraform.d/plugin-cache",
    "tmp",
    ".tmp",
];

/// Path steps that are build output or caches wherever they are.
const BUILD_STEPS: &[&str] = &[
    "node_modules",
    "dist",
    "build",
    "target",
    "out",
    ".next",
    ".nuxt",
    ".turbo",
    ".cache",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    "coverage",
    ".venv",
    "venv",
    ".gradle",
    ".dart_tool",
    ".parcel-cache",
    ".svelte-kit",
    "tmp",
    "cache",
    "caches",
    "Cache",
    "Caches",
];

const DB_DATA: &[&str] = &[
    "/var/lib/postgresql",
    "/var/lib/pgsql",
    "/var/lib/mysql",
    "/var/lib/mariadb",
    "/var/lib/mongodb",
    "/var/lib/redis",
    "/var/lib/docker",
    "/var/lib/clickhouse",
    "/var/lib/cassandra",
    "/usr/local/var/postgres",
    "/opt/homebrew/var/postgresql",
    "/data",
];

const DEVICE_PREFIXES: &[&str] = &[
    "/dev/sd",
    "/dev/nvme",
    "/dev/vd",
    "/dev/xvd",
    "/dev/hd",
    "/dev/mmcblk",
    "/dev/disk",
    "/dev/mapper/",
    "/dev/md",
    "/dev/dm-",
    "/dev/loop",
];

/// Normalise a path's spelling: collapse `//`, drop `/.` steps and trailing slashes and a
/// trailing `/*` (which names every child, i.e. the directory's contents).
fn tidy(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    for p in path.split('/') {
        match p {
            "" | "." => {}
            // `/tmp/../etc` is `/etc`: a `..` cancels the step before it, unless that step
            // is itself `..` or only known at run time (`$DIR/..` is not `.`).
            ".." if parts.last().is_some_and(|l| {
                *l != ".." && !l.starts_with('~') && !l.contains(['$', '`', '*', '?', '[', '{'])
            }) =>
            {
                parts.pop();
            }
            // `/..` is `/`.
            ".." if absolute && parts.is_empty() => {}
            _ => parts.push(p),
        }
    }
    while matches!(parts.last(), Some(&"*") | Some(&".*")) {
        parts.pop();
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// Does `word` (an operand) fall in `class`? An operand with unquoted wildcards also falls
/// in it when bash could expand it to a path of the class (`/ho*` is home, `/u*/lib` is the
/// system's), and `/proc/self/root/…` is the path after it.
pub fn is_in(word: &Word, class: PathClass) -> bool {
    if let Some(path) = through_proc_root(&word.text) {
        let mut w = word.clone();
        w.text = path;
        return is_in(&w, class);
    }
    is_in_as_written(word, class)
        || (word.glob
            && super::glob::shell::has_wildcard(&word.text)
            && could_be_in(&word.text, class))
}

/// `/proc/self/root`, `/proc/thread-self/root` and `/proc/<pid>/root` are links to the
/// root directory: `/proc/self/root/etc` is `/etc`.
fn through_proc_root(text: &str) -> Option<String> {
    let rest = text.strip_prefix("/proc/")?;
    let (who, rest) = rest.split_once('/')?;
    let known = who == "self" || who == "thread-self" || who.bytes().all(|b| b.is_ascii_digit());
    let after = rest.strip_prefix("root")?;
    if !known || !(after.is_empty() || after.starts_with('/')) {
        return None;
    }
    Some(if after.is_empty() {
        "/".to_owned()
    } else {
        after.to_owned()
    })
}

/// A whole-block device of each kind, for patterns (`/dev/s?a`).
const DEVICE_EXAMPLES: &[&str] = &[
    "/dev/sda",
    "/dev/nvme0n1",
    "/dev/vda",
    "/dev/xvda",
    "/dev/hda",
    "/dev/mmcblk0",
    "/dev/disk0",
    "/dev/md0",
    "/dev/dm-0",
    "/dev/loop0",
];

/// Could bash expand the pattern `p` to a path of `class`?
fn could_be_in(p: &str, class: PathClass) -> bool {
    use super::glob::shell::{could_end_in, could_name, could_name_anchored};
    match class {
        // A one-name pattern at the root that takes in all of the system's top directories
        // is every top directory (`/?*`, `/[a-z]*`).
        PathClass::Root => ["etc", "usr", "var", "home", "bin"]
            .iter()
            .all(|top| could_name(p, &format!("/{top}"), 0..=0)),
        PathClass::Home => {
            could_name_anchored(p, "/root", 0..=0)
                || could_name_anchored(p, "/home", 0..=1)
                || could_name_anchored(p, "/Users", 0..=1)
                || could_name(p, "~", 0..=0)
        }
        PathClass::System => {
            SYSTEM.iter().any(|s| could_name_anchored(p, s, 0..=1))
                || SYSTEM_DATA
                    .iter()
                    .any(|s| could_name_anchored(p, s, 0..=64))
        }
        // A pattern below a home directory is judged as written (`~/proj*` is user data).
        PathClass::HomeData => home_data(p),
        PathClass::DbData => {
            DB_DATA.iter().any(|d| could_name_anchored(p, d, 0..=64))
                || ["pgdata", "pg_data", "mysql-data"]
                    .iter()
                    .any(|n| p.split('/').any(|c| could_name_anchored(c, n, 0..=0)))
        }
        PathClass::GitDir => could_end_in(p, ".git"),
        PathClass::Device => DEVICE_EXAMPLES.iter().any(|d| could_name(p, d, 0..=0)),
        PathClass::Cwd | PathClass::Dynamic => false,
    }
}

fn is_in_as_written(word: &Word, class: PathClass) -> bool {
    let text = word.text.as_str();
    match class {
        PathClass::Dynamic => word.dynamic,
        PathClass::Root => {
            let t = tidy(text);
            t == "/" || (word.dynamic && text.starts_with("/$"))
        }
        PathClass::Home => is_home(text),
        PathClass::System => {
            let t = tidy(text);
            // Scratch space, not the system's: `rm -rf /var/tmp/*` is cleaning up.
            if matches!(t.as_str(), "/var/tmp" | "/private/tmp" | "/private/var/tmp") {
                return false;
            }
            if SYSTEM_SCRATCH
                .iter()
                .any(|s| t == *s || t.starts_with(&format!("{s}/")))
            {
                return false;
            }
            SYSTEM.iter().any(|s| {
                t == *s
                    || t.strip_prefix(s)
                        .and_then(|rest| rest.strip_prefix('/'))
                        .is_some_and(|child| !child.contains('/'))
            }) || SYSTEM_DATA.iter().any(|s| t.starts_with(&format!("{s}/")))
                // An application's data below /opt (`/opt/app/data`, `/opt/gitlab/db`).
                || t.strip_prefix("/opt/").is_some_and(|rest| {
                    rest.split('/').skip(1).any(|step| {
                        matches!(
                            step,
                            "data" | "db" | "database" | "storage" | "uploads" | "backups" | "volumes"
                        )
                    })
                })
        }
        PathClass::HomeData => home_data(text),
        PathClass::Cwd => {
            let t = tidy(text);
            matches!(t.as_str(), "." | ".." | "*" | ".*" | "../*") || t == "../.." || {
                // `./*` and `*` tidy to `.`; a bare glob of everything is the working tree.
                text.trim_start_matches("./") == "*"
            }
        }
        PathClass::DbData => {
            let t = tidy(text);
            DB_DATA
                .iter()
                .any(|d| t == *d || t.starts_with(&format!("{d}/")))
                || t.split('/')
                    .any(|p| matches!(p, "pgdata" | "pg_data" | "mysql-data"))
        }
        PathClass::GitDir => {
            let t = tidy(text);
            t == ".git" || t.ends_with("/.git")
        }
        PathClass::Device => DEVICE_PREFIXES.iter().any(|p| text.starts_with(p)),
    }
}

/// The part of `text` below a home directory, when it starts at one: `~/x` → `x`,
/// `${HOME:?}/x` → `x`, `/home/alice/x` → `x`; `""` for the home directory itself.
fn below_home(text: &str) -> Option<String> {
    if let Some(rest) = text.strip_prefix('~') {
        let path = rest.find('/').map_or("", |i| &rest[i..]);
        return Some(tidy(&format!("/{path}")).trim_start_matches('/').to_owned());
    }
    // `$HOME`, `${HOME}`, and the guarded or defaulted forms (`${HOME:?}`, `${HOME:-/x}`):
    // when the variable is set, as it is for any agent, they are the home directory.
    let rest = if let Some(r) = text.strip_prefix("${HOME") {
        let close = r.find('}')?;
        let op = &r[..close];
        if !(op.is_empty() || op.starts_with(':') || op.starts_with('?') || op.starts_with('-')) {
            return None;
        }
        &r[close + 1..]
    } else if let Some(r) = text
        .strip_prefix("$HOME")
        .or(text.strip_prefix("$USERPROFILE"))
    {
        if r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        r
    } else {
        let t = tidy(text);
        for base in ["/home/", "/Users/"] {
            if let Some(user_rest) = t.strip_prefix(base) {
                let (user, rest) = user_rest.split_once('/').unwrap_or((user_rest, ""));
                if user.is_empty() || user.contains(['*', '?', '[', '$']) {
                    return None;
                }
                return Some(rest.to_owned());
            }
        }
        if let Some(rest) = t.strip_prefix("/root")
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return Some(rest.trim_start_matches('/').to_owned());
        }
        return None;
    };
    Some(tidy(&format!("/{rest}")).trim_start_matches('/').to_owned())
}

/// User data below a home directory: not the home itself (that is [`PathClass::Home`]),
/// nor a cache, a temporary directory or a build output.
fn home_data(text: &str) -> bool {
    let Some(below) = below_home(text) else {
        return false;
    };
    if below.is_empty() {
        return false;
    }
    if HOME_SCRATCH
        .iter()
        .any(|s| below == *s || below.starts_with(&format!("{s}/")))
    {
        return false;
    }
    !below.split('/').any(|step| {
        BUILD_STEPS.contains(&step)
            || step.ends_with(".egg-info")
            || ["tmp-", "tmp_", "temp-", "temp_", "scratch"]
                .iter()
                .any(|p| step.starts_with(p))
    })
}

fn is_home(text: &str) -> bool {
    // `~`, `~user`, with nothing after but `/`, `/.` or `/*`.
    if let Some(rest) = text.strip_prefix('~') {
        let path = rest.find('/').map_or("", |i| &rest[i..]);
        return tidy(&format!("/{path}")) == "/";
    }
    if (text.starts_with("$HOME") || text.starts_with("${HOME") || text.starts_with("$USERPROFILE"))
        && below_home(text).is_some_and(|b| b.is_empty())
    {
        return true;
    }
    let t = tidy(text);
    // `/home` and `/Users` hold every user's home.
    t == "/root"
        || t == "/home"
        || t == "/Users"
        || ["/home/", "/Users/"].iter().any(|base| {
            t.strip_prefix(base)
                .is_some_and(|user| !user.is_empty() && !user.contains('/'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(t: &str) -> Word {
        let mut w = Word::literal(t);
        w.dynamic = t.contains('$');
        w
    }

    #[test]
    fn classes() {
        let cases: &[(&str, PathClass, bool)] = &[
            ("/", PathClass::Root, true),
            ("/*", PathClass::Root, true),
            ("//", PathClass::Root, true),
            ("/tmp", PathClass::Root, false),
            ("~", PathClass::Home, true),
            ("~/", PathClass::Home, true),
            ("~/*", PathClass::Home, true),
            ("$HOME", PathClass::Home, true),
            ("${HOME}/", PathClass::Home, true),
            ("~/src/app/target", PathClass::Home, false),
            ("/home/alice", PathClass::Home, true),
            ("/home/alice/tmp", PathClass::Home, false),
            ("/home", PathClass::Home, true),
            ("/Users/*", PathClass::Home, true),
            ("/tmp/../home/bob", PathClass::Home, true),
            ("/tmp/../etc", PathClass::System, true),
            ("/..", PathClass::Root, true),
            ("build/../..", PathClass::Cwd, true),
            ("$DIR/..", PathClass::Cwd, false),
            ("~/Documents/../../etc", PathClass::System, false),
            ("/var/tmp/*", PathClass::System, false),
            ("/var/log", PathClass::System, true),
            ("/etc", PathClass::System, true),
            ("/usr/lib", PathClass::System, true),
            ("/var/*", PathClass::System, true),
            ("/etc/nginx", PathClass::System, true),
            ("/etc/nginx/sites", PathClass::System, false),
            ("/tmp/x", PathClass::System, false),
            ("*", PathClass::Cwd, true),
            ("./*", PathClass::Cwd, true),
            ("../", PathClass::Cwd, true),
            ("target", PathClass::Cwd, false),
            ("/var/lib/postgresql/data/*", PathClass::DbData, true),
            (".git", PathClass::GitDir, true),
            ("sub/.git/", PathClass::GitDir, true),
            (".github", PathClass::GitDir, false),
            ("/dev/sda", PathClass::Device, true),
            ("/dev/null", PathClass::Device, false),
            ("$DIR/", PathClass::Dynamic, true),
            ("${HOME:?}/", PathClass::Home, true),
            ("${HOME:-/tmp}", PathClass::Home, true),
            ("$HOMEDIR", PathClass::Home, false),
            ("~/projects", PathClass::HomeData, true),
            ("${HOME}/src/app", PathClass::HomeData, true),
            ("/home/bob/Documents", PathClass::HomeData, true),
            ("~/.cache/pip", PathClass::HomeData, false),
            ("~/src/app/target", PathClass::HomeData, false),
            ("~", PathClass::HomeData, false),
            ("/var/lib/etcd/member", PathClass::System, true),
            ("/mnt/data", PathClass::System, true),
            ("/var/lib/apt/lists/*", PathClass::System, false),
            ("/srv/app/releases/42", PathClass::System, true),
            ("/opt/app/data", PathClass::System, true),
            ("/opt/app/bin", PathClass::System, false),
            ("~/Desktop/tmp-export", PathClass::HomeData, false),
        ];
        for (text, class, want) in cases {
            assert_eq!(is_in(&w(text), *class), *want, "{text} in {class:?}");
        }
    }

    #[test]
    fn a_pattern_is_in_the_classes_it_can_expand_to() {
        let g = |t: &str| {
            let mut w = Word::literal(t);
            w.glob = true;
            w
        };
        let cases: &[(&str, PathClass, bool)] = &[
            ("/ho*", PathClass::Home, true),
            ("/h*/*", PathClass::Home, true),
            ("/[e]tc", PathClass::System, true),
            ("/e?c", PathClass::System, true),
            ("/u*/lib", PathClass::System, true),
            ("/?*", PathClass::Root, true),
            ("/[a-z]*", PathClass::Root, true),
            ("/var/lib/post*", PathClass::DbData, true),
            ("/dev/s?a", PathClass::Device, true),
            ("sub/.gi?", PathClass::GitDir, true),
            // Patterns that cannot reach those places are judged as before.
            ("/tmp/x*", PathClass::System, false),
            ("/tmp/build-*", PathClass::Home, false),
            ("/t*", PathClass::Root, false),
            ("build/*.o", PathClass::System, false),
            ("sub/*", PathClass::GitDir, false),
        ];
        for (text, class, want) in cases {
            assert_eq!(is_in(&g(text), *class), *want, "{text} in {class:?}");
        }
        assert!(is_in(&w("/proc/self/root/etc"), PathClass::System));
        assert!(is_in(&w("/proc/1/root"), PathClass::Root));
        assert!(!is_in(&w("/proc/self/rootx"), PathClass::Root));
    }
}
