//! Arrays indexed by an enum instead of a position: one value per
//! [`Signal`] ([`PerSignal`]) or per [`ActionType`] ([`PerActionType`]).
//! An index is a variant, so a value cannot be filed under the wrong key
//! and there is no `usize` to get out of range.
//!
//! ```
//! use firedrill::scenario::{PerSignal, Signal};
//! let mut values = PerSignal::from_fn(Signal::default_baseline);
//! values[Signal::ErrorRatio] = 0.5;
//! assert_eq!(values[Signal::ErrorRatio], 0.5);
//! assert_eq!(values.iter().count(), Signal::ALL.len());
//! ```

use super::model::{ActionType, Signal};
use serde::Serialize;
use std::ops::{Index, IndexMut};

macro_rules! keyed_array {
    ($(#[$doc:meta])* $name:ident, $key:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
        #[serde(transparent)]
        pub struct $name<T>([T; $len]);

        impl<T: Copy> $name<T> {
            /// The same value for every key.
            pub fn splat(value: T) -> Self {
                $name([value; $len])
            }
        }

        impl<T> $name<T> {
            /// The value of each key, from a function of the key.
            pub fn from_fn(value: impl FnMut($key) -> T) -> Self {
                $name($key::ALL.map(value))
            }

            /// Each key with its value, in the keys' order.
            pub fn iter(&self) -> impl Iterator<Item = ($key, &T)> {
                $key::ALL.into_iter().zip(self.0.iter())
            }

            /// Each key with its value to change, in the keys' order.
            pub fn iter_mut(&mut self) -> impl Iterator<Item = ($key, &mut T)> {
                $key::ALL.into_iter().zip(self.0.iter_mut())
            }

            /// The values, in the keys' order.
            pub fn values(&self) -> &[T; $len] {
                &self.0
            }
        }

        impl<T> Index<$key> for $name<T> {
            type Output = T;
            #[inline]
            fn index(&self, key: $key) -> &T {
                &self.0[key as usize]
            }
        }

        impl<T> IndexMut<$key> for $name<T> {
            #[inline]
            fn index_mut(&mut self, key: $key) -> &mut T {
                &mut self.0[key as usize]
            }
        }
    };
}

keyed_array!(
    /// One value per [`Signal`].
    PerSignal,
    Signal,
    9
);

keyed_array!(
    /// One value per [`ActionType`].
    PerActionType,
    ActionType,
    8
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_indexes_its_own_position_in_all() {
        for (position, signal) in Signal::ALL.into_iter().enumerate() {
            assert_eq!(signal as usize, position, "{signal:?}");
            assert_eq!(PerSignal::from_fn(|s| s)[signal], signal);
        }
        for (position, action_type) in ActionType::ALL.into_iter().enumerate() {
            assert_eq!(action_type as usize, position, "{action_type:?}");
            assert_eq!(PerActionType::from_fn(|t| t)[action_type], action_type);
        }
    }
}
