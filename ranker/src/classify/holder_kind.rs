//! Holder kind and region from the holder's name.
