//! IPC subclass suggestions from title and abstract.
