//! The GraphQL schema (stub).

/// The schema as SDL.
pub fn sdl() -> String {
    String::new()
}
