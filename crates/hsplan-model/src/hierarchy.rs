//! Codes for units of hierarchies that are not NBS-coded (DHIS2 org units, FHIR
//! jurisdictions): each unit gets an assigned [`AdminCode`] from its place under its parent,
//! so level, parent and subtree stay derived from the code as they are for NBS codes.

use crate::admin::{AdminCode, AdminUnit, MAX_ASSIGNED_CHILDREN};
use std::collections::{BTreeMap, BTreeSet};

/// One unit of a source hierarchy, as the source names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceNode<'a> {
    /// The unit's id in the source (a DHIS2 uid).
    pub id: &'a str,
    /// Its parent's id in the source; `None` for a top unit.
    pub parent: Option<&'a str>,
    /// Its name (orders the children of one parent).
    pub name: &'a str,
}

/// Why a source hierarchy cannot be given codes. Each names the node at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HierarchyError {
    /// Two nodes with one id.
    #[error("`{id}` appears twice")]
    Duplicate {
        /// The id.
        id: String,
    },
    /// The parent is neither in the source nor among the units already held.
    #[error("`{id}`: its parent `{parent}` is neither in the file nor in the store")]
    MissingParent {
        /// The node.
        id: String,
        /// The parent it names.
        parent: String,
    },
    /// Following parents leads back to the node.
    #[error("`{id}`: its parents form a cycle ({path})")]
    Cycle {
        /// The node.
        id: String,
        /// The ids around the cycle.
        path: String,
    },
    /// More than five unit levels.
    #[error(
        "`{id}` is at unit level {depth}: hsplan holds at most five unit levels (list the deeper levels as facility levels)"
    )]
    TooDeep {
        /// The node.
        id: String,
        /// Its depth, counting its top unit as 1.
        depth: usize,
    },
    /// A parent with more children than an assigned code can number.
    #[error("`{parent}` has more than {MAX_ASSIGNED_CHILDREN} child units")]
    Full {
        /// The parent's id.
        parent: String,
    },
    /// A source unit under an NBS-coded one (its code would have to be an official one).
    #[error(
        "`{id}`: its parent {parent} is NBS-coded; a unit below an NBS-coded unit needs its own NBS code"
    )]
    UnderNbs {
        /// The node.
        id: String,
        /// The NBS code of the parent.
        parent: AdminCode,
    },
}

/// The units already held, as code assignment needs them: each code with the source id its
/// unit carries ([`AdminUnit::source_id`]), if any.
pub type HeldCodes = BTreeMap<AdminCode, Option<String>>;

/// [`HeldCodes`] of a store's units.
pub fn held_codes(units: &BTreeMap<AdminCode, AdminUnit>) -> HeldCodes {
    units
        .values()
        .map(|u| (u.code, u.source_id.clone()))
        .collect()
}

/// Assigns codes to the nodes of a source hierarchy, beside the `held` units (those of the
/// store). A node whose id a held unit already carries under the same parent keeps that
/// unit's code, so reading the same source again changes no code; the other children of a
/// parent get the next free positions, in name order. A parent may be a node or a held
/// unit. Errors give the index of the node at fault.
pub fn assign_codes(
    nodes: &[SourceNode<'_>],
    held: &HeldCodes,
) -> Result<BTreeMap<String, AdminCode>, (usize, HierarchyError)> {
    let held_by_id: BTreeMap<&str, AdminCode> = held
        .iter()
        .filter_map(|(c, s)| s.as_deref().map(|s| (s, *c)))
        .collect();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if index.insert(n.id, i).is_some() {
            return Err((i, HierarchyError::Duplicate { id: n.id.into() }));
        }
    }
    // depth of every node (1 = top), with cycles and missing parents found
    let mut depth: Vec<usize> = vec![0; nodes.len()];
    for start in 0..nodes.len() {
        let mut chain = vec![start];
        let mut seen = BTreeSet::from([start]);
        // walk up to a node of known depth, a held unit, or the top
        let base = loop {
            let here = *chain.last().expect("non-empty");
            if depth[here] > 0 {
                chain.pop();
                break depth[here];
            }
            let Some(parent) = nodes[here].parent else {
                break 0;
            };
            if let Some(&p) = index.get(parent) {
                if !seen.insert(p) {
                    let path = chain
                        .iter()
                        .map(|&i| nodes[i].id)
                        .chain([parent])
                        .collect::<Vec<_>>()
                        .join(" → ");
                    return Err((
                        start,
                        HierarchyError::Cycle {
                            id: nodes[start].id.into(),
                            path,
                        },
                    ));
                }
                chain.push(p);
            } else if let Some(&code) = held_by_id.get(parent) {
                break code.level() as usize;
            } else {
                return Err((
                    here,
                    HierarchyError::MissingParent {
                        id: nodes[here].id.into(),
                        parent: parent.into(),
                    },
                ));
            }
        };
        for (k, &i) in chain.iter().rev().enumerate() {
            depth[i] = base + k + 1;
        }
    }
    if let Some(i) = (0..nodes.len()).find(|&i| depth[i] > 5) {
        return Err((
            i,
            HierarchyError::TooDeep {
                id: nodes[i].id.into(),
                depth: depth[i],
            },
        ));
    }
    // top down, each parent's children in name order
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by(|&a, &b| {
        (depth[a], nodes[a].name, nodes[a].id).cmp(&(depth[b], nodes[b].name, nodes[b].id))
    });
    let mut codes: BTreeMap<String, AdminCode> = BTreeMap::new();
    let mut taken: BTreeSet<AdminCode> = held.keys().copied().collect();
    // first keep the codes already held under the same parent, then number the others
    let parent_code = |i: usize, codes: &BTreeMap<String, AdminCode>| -> Option<AdminCode> {
        let p = nodes[i].parent?;
        codes.get(p).or_else(|| held_by_id.get(p)).copied()
    };
    let mut next_free: BTreeMap<Option<AdminCode>, u16> = BTreeMap::new();
    for level in 1..=5 {
        let at_level: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| depth[i] == level)
            .collect();
        let mut fresh = Vec::new();
        for &i in &at_level {
            let parent = parent_code(i, &codes);
            if let Some(p) = parent.filter(|p| p.is_nbs()) {
                return Err((
                    i,
                    HierarchyError::UnderNbs {
                        id: nodes[i].id.into(),
                        parent: p,
                    },
                ));
            }
            match held_by_id.get(nodes[i].id) {
                Some(&c) if c.parent() == parent => {
                    codes.insert(nodes[i].id.into(), c);
                }
                _ => fresh.push((i, parent)),
            }
        }
        for (i, parent) in fresh {
            let next = next_free.entry(parent).or_insert(1);
            let code = loop {
                let candidate = match parent {
                    Some(p) => p.child(*next),
                    None => AdminCode::assigned(&[*next]).ok(),
                };
                let Some(c) = candidate else {
                    return Err((
                        i,
                        HierarchyError::Full {
                            parent: nodes[i].parent.unwrap_or("(top)").into(),
                        },
                    ));
                };
                *next += 1;
                if !taken.contains(&c) {
                    break c;
                }
            };
            taken.insert(code);
            codes.insert(nodes[i].id.into(), code);
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node<'a>(id: &'a str, parent: Option<&'a str>, name: &'a str) -> SourceNode<'a> {
        SourceNode { id, parent, name }
    }

    #[test]
    fn codes_follow_the_tree_and_names() {
        let nodes = [
            node("c2", Some("d1"), "Bumpe"),
            node("d1", Some("n"), "Bo"),
            node("n", None, "Sierra Leone"),
            node("c1", Some("d1"), "Badjia"),
            node("d2", Some("n"), "Bombali"),
        ];
        let codes = assign_codes(&nodes, &HeldCodes::new()).unwrap();
        assert_eq!(codes["n"].to_string(), "X001000000000000");
        assert_eq!(codes["d1"].to_string(), "X001001000000000");
        assert_eq!(codes["d2"].to_string(), "X001002000000000");
        assert_eq!(codes["c1"].to_string(), "X001001001000000");
        assert_eq!(codes["c2"].to_string(), "X001001002000000");
        // read again beside what was stored, with a new chiefdom first by name: old codes stay
        let mut held = BTreeMap::new();
        for n in &nodes {
            let mut u = AdminUnit::new(codes[n.id], n.name);
            u.source_id = Some(n.id.into());
            held.insert(u.code, u);
        }
        let again = [
            node("c0", Some("d1"), "Aaa"),
            node("c1", Some("d1"), "Badjia"),
            node("c2", Some("d1"), "Bumpe"),
        ];
        let held = held_codes(&held);
        let codes2 = assign_codes(&again, &held).unwrap();
        assert_eq!(codes2["c1"], codes["c1"]);
        assert_eq!(codes2["c2"], codes["c2"]);
        assert_eq!(codes2["c0"].to_string(), "X001001003000000");
        // a second source's top unit beside the first
        let other = assign_codes(&[node("k", None, "Kenya")], &held).unwrap();
        assert_eq!(other["k"].to_string(), "X002000000000000");
    }

    #[test]
    fn bad_hierarchies_name_the_node() {
        let missing = [node("a", None, "A"), node("b", Some("zz"), "B")];
        assert_eq!(
            assign_codes(&missing, &HeldCodes::new()).unwrap_err(),
            (
                1,
                HierarchyError::MissingParent {
                    id: "b".into(),
                    parent: "zz".into()
                }
            )
        );
        let cycle = [
            node("a", Some("c"), "A"),
            node("b", Some("a"), "B"),
            node("c", Some("b"), "C"),
        ];
        let (i, e) = assign_codes(&cycle, &HeldCodes::new()).unwrap_err();
        assert_eq!(i, 0);
        assert!(
            matches!(&e, HierarchyError::Cycle { path, .. } if path == "a → c → b → a"),
            "{e}"
        );
        let own = [node("a", Some("a"), "A")];
        assert!(matches!(
            assign_codes(&own, &HeldCodes::new()),
            Err((0, HierarchyError::Cycle { .. }))
        ));
        let twice = [node("a", None, "A"), node("a", None, "A")];
        assert!(matches!(
            assign_codes(&twice, &HeldCodes::new()),
            Err((1, HierarchyError::Duplicate { .. }))
        ));
        let deep: Vec<String> = (0..6).map(|i| format!("n{i}")).collect();
        let chain: Vec<SourceNode> = (0..6)
            .map(|i| node(&deep[i], (i > 0).then(|| deep[i - 1].as_str()), "x"))
            .collect();
        assert_eq!(
            assign_codes(&chain, &HeldCodes::new()).unwrap_err(),
            (
                5,
                HierarchyError::TooDeep {
                    id: "n5".into(),
                    depth: 6
                }
            )
        );
        let mut held = BTreeMap::new();
        let mut cq = AdminUnit::new(AdminCode::parse("50").unwrap(), "重庆市");
        cq.source_id = Some("cq".into());
        held.insert(cq.code, cq);
        assert!(matches!(
            assign_codes(&[node("x", Some("cq"), "X")], &held_codes(&held)),
            Err((0, HierarchyError::UnderNbs { .. }))
        ));
    }
}
