//! Shared Settings' DNS facts: the search domains and name servers of `resolv.conf`.

/// `resolv.conf` as the C library reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Resolver {
    pub nameservers: Vec<String>,
    pub search: Vec<String>,
}

/// The C library asks at most three servers (`MAXNS`); FMC names them Primary, Secondary
/// and Tertiary.
pub const MAX_SERVERS: usize = 3;

impl Resolver {
    /// The `n`th server FMC shows (0: Primary), empty when absent.
    pub fn server(&self, n: usize) -> &str {
        self.nameservers
            .iter()
            .take(MAX_SERVERS)
            .nth(n)
            .map_or("", String::as_str)
    }
}

/// `nameserver` lines in order; the last `search` or `domain` line wins, as in the C library.
pub fn parse_resolv_conf(text: &str) -> Resolver {
    let mut r = Resolver::default();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => r.nameservers.extend(words.next().map(str::to_owned)),
            Some("search" | "domain") => r.search = words.map(str::to_owned).collect(),
            _ => {}
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_servers_are_primary_secondary_and_tertiary_and_a_fourth_is_unused() {
        let r = parse_resolv_conf(include_str!("../../tests/fixtures/host/resolv.conf"));
        assert_eq!(r.search, ["corp.example", "lab.example"]);
        assert_eq!(
            [r.server(0), r.server(1), r.server(2), r.server(3)],
            ["10.0.0.2", "2001:db8::53", "10.0.0.3", ""]
        );
    }

    #[test]
    fn absent_servers_are_empty() {
        let r = parse_resolv_conf("# comment\nnameserver 10.0.0.2\ndomain corp.example\n");
        assert_eq!(r.search, ["corp.example"]);
        assert_eq!(
            [r.server(0), r.server(1), r.server(2)],
            ["10.0.0.2", "", ""]
        );
        let none = parse_resolv_conf("");
        assert_eq!(none.server(0), "");
        assert!(none.search.is_empty());
    }
}
