//! Small helpers shared by the example programs.

use std::cell::Cell;

/// A tiny xorshift generator, so the examples need no dependencies to be
/// random enough for a demo.
///
/// # Examples
///
/// ```
/// let rng = examples::Rng::new(7);
/// let roll = rng.range(1, 6);
/// assert!((1..=6).contains(&roll));
/// ```
#[derive(Debug)]
pub struct Rng(Cell<u64>);

impl Rng {
    /// A generator started from `seed` (any value; 0 is replaced).
    ///
    /// # Examples
    ///
    /// ```
    /// use examples::Rng;
    ///
    /// assert_eq!(Rng::new(3).next_u64(), Rng::new(3).next_u64());
    /// assert_eq!(Rng::new(0).next_u64(), Rng::new(1).next_u64());
    /// ```
    pub fn new(seed: u64) -> Self {
        Rng(Cell::new(seed.max(1)))
    }

    /// A generator seeded from the clock.
    ///
    /// # Examples
    ///
    /// ```
    /// let rng = examples::Rng::from_time();
    /// assert_ne!(rng.next_u64(), 0); // xorshift never reaches 0
    /// ```
    pub fn from_time() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng::new(nanos)
    }

    /// The next raw 64-bit value.
    ///
    /// # Examples
    ///
    /// ```
    /// let rng = examples::Rng::new(1);
    /// assert_ne!(rng.next_u64(), rng.next_u64());
    /// ```
    pub fn next_u64(&self) -> u64 {
        let mut x = self.0.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.set(x);
        x
    }

    /// A value in `low..=high`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rng = examples::Rng::new(9);
    /// assert!((0..1000).all(|_| (3..=5).contains(&rng.range(3, 5))));
    /// ```
    pub fn range(&self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// A value in `0.0..1.0`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rng = examples::Rng::new(5);
    /// assert!((0..1000).all(|_| (0.0..1.0).contains(&rng.unit())));
    /// ```
    pub fn unit(&self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }
}
