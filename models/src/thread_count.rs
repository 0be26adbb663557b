/// Sets `RAYON_NUM_THREADS` to the number of CPUs unless it is set.
///
/// candle sizes its matmul thread pool from that variable and, when it is
/// unset, counts the CPUs again on every matmul, about a hundred times per
/// query. Binaries call this first thing in `main`, before any thread
/// exists (setting the environment is only sound then); libraries never
/// call it.
pub fn pin_thread_count() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
    }
}
