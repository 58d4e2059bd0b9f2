// Progress of the tool's long walks (mirror, list --all).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace mcpreg::cli {

/// Columns of the terminal on standard output, or 0 when standard output is not a terminal.
std::size_t terminal_width();

/// On a terminal (standard output), one line redrawn in place: entries, pages, rate and elapsed time. Otherwise
/// a plain line on standard error every few seconds, so long jobs in scripts and CI show life without touching
/// the output a script reads. (The registry API reports no total, so there is no honest ETA to show.)
class progress_meter {
public:
    explicit progress_meter(std::string label);
    progress_meter(const progress_meter&) = delete;
    progress_meter& operator=(const progress_meter&) = delete;
    ~progress_meter();

    void update(std::size_t entries, std::size_t pages);
    /// Clears the terminal line (idempotent; the destructor calls it).
    void finish();

private:
    std::string line(std::size_t entries, std::size_t pages, double seconds) const;

    using clock = std::chrono::steady_clock;
    std::string label_;
    std::size_t width_;
    clock::time_point start_ = clock::now();
    clock::time_point last_ = start_;
    bool drawn_ = false;
};

}  // namespace mcpreg::cli
