//! Zachary's karate club (1977): 34 members, 78 friendships, and the two clubs the members
//! joined after the split. Embedded from `kernels/data/karate.txt` (see the README there).
//!
//! Member 0 is the instructor ("Mr. Hi"), member 33 the administrator ("Officer"); ids are
//! the paper's ids minus one. Factions follow networkx's `club` attribute (the paper's
//! "club after fission"), so member 8 — who sides with Mr. Hi although most of his friends
//! are on the Officer's side — is the one member no structure-based method gets right.

static RAW: &str = include_str!("../../data/karate.txt");

/// Number of members.
pub const NODES: usize = 34;
/// Number of undirected edges.
pub const EDGES: usize = 78;

/// The graph and its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Karate {
    /// Undirected edges `(u, v)` with `u < v`, sorted.
    pub edges: Vec<(usize, usize)>,
    /// The club each member joined: 0 = Mr. Hi's, 1 = the Officer's.
    pub factions: Vec<u8>,
}

impl Karate {
    /// Parses the embedded file. The file is part of the source tree and checked by tests, so
    /// a malformed file is a build defect, reported here with the offending line.
    ///
    /// # Panics
    /// If the embedded file is malformed.
    pub fn load() -> Self {
        parse(RAW).unwrap_or_else(|e| panic!("kernels/data/karate.txt: {e}"))
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.factions.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.factions.is_empty()
    }

    /// Degree (number of friends) of every member.
    pub fn degrees(&self) -> Vec<usize> {
        let mut d = vec![0; self.len()];
        for &(u, v) in &self.edges {
            d[u] += 1;
            d[v] += 1;
        }
        d
    }
}

/// Parses the text format written by `tools/data/make_karate.py`.
pub fn parse(text: &str) -> Result<Karate, String> {
    let mut edges = Vec::new();
    let mut factions = Vec::new();
    for (no, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || format!("line {}: cannot read `{line}`", no + 1);
        if let Some(rest) = line.strip_prefix("factions:") {
            factions = rest
                .split_whitespace()
                .map(|t| t.parse::<u8>().ok().filter(|&f| f <= 1).ok_or_else(bad))
                .collect::<Result<_, _>>()?;
            continue;
        }
        let ids: Vec<usize> = line
            .split_whitespace()
            .map(|t| t.parse::<usize>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        match ids[..] {
            [u, v] if u < v && v < NODES => edges.push((u, v)),
            _ => return Err(bad()),
        }
    }
    if factions.len() != NODES || edges.len() != EDGES {
        return Err(format!(
            "expected {NODES} factions and {EDGES} edges, found {} and {}",
            factions.len(),
            edges.len()
        ));
    }
    Ok(Karate { edges, factions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_graph_has_the_published_shape() {
        let k = Karate::load();
        assert_eq!((k.len(), k.edges.len()), (NODES, EDGES));
        // 17 members followed Mr. Hi, 17 the Officer; the leaders are the hubs.
        assert_eq!(k.factions.iter().filter(|&&f| f == 0).count(), 17);
        assert_eq!((k.factions[0], k.factions[33]), (0, 1));
        let d = k.degrees();
        assert_eq!((d[0], d[33], d.iter().sum::<usize>()), (16, 17, 2 * EDGES));
    }

    #[test]
    fn malformed_lines_are_named() {
        let err = parse("factions: 0 1\n0 x\n").expect_err("bad edge");
        assert!(err.contains("line 2"), "{err}");
        assert!(parse("3 2\n").is_err(), "u < v is required");
    }
}
