//! The committed `schema.graphql` is exactly what the server exports, and every element is described.

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

#[test]
fn committed_schema_must_equal_the_exported_sdl() {
    let exported = seam_graphql::schema::sdl();
    insta::assert_snapshot!("schema", exported);
    let committed = include_str!("../schema.graphql");
    assert!(
        committed == exported,
        "schema.graphql is stale: run `cargo run -q -- print-schema > schema.graphql`"
    );
}

#[test]
fn every_type_field_argument_and_enum_value_must_have_a_description() {
    let doc = parse_schema(seam_graphql::schema::sdl()).expect("SDL parses");
    let mut missing = Vec::new();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let t = &t.node;
        let name = t.name.node.as_str();
        if t.description.is_none() {
            missing.push(name.to_owned());
        }
        match &t.kind {
            TypeKind::Object(o) => {
                for f in &o.fields {
                    let f = &f.node;
                    if f.description.is_none() {
                        missing.push(format!("{name}.{}", f.name.node));
                    }
                    for a in &f.arguments {
                        if a.node.description.is_none() {
                            missing.push(format!("{name}.{}({})", f.name.node, a.node.name.node));
                        }
                    }
                }
            }
            TypeKind::InputObject(o) => {
                for f in &o.fields {
                    if f.node.description.is_none() {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    if v.node.description.is_none() {
                        missing.push(format!("{name}.{}", v.node.value.node));
                    }
                }
            }
            _ => {}
        }
    }
    assert!(
        missing.is_empty(),
        "undescribed schema elements: {missing:#?}"
    );
}
