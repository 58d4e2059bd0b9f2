#include "progress.hpp"

#include <cstdio>
#include <iostream>
#include <sys/ioctl.h>
#include <unistd.h>

namespace mcpreg::cli {

std::size_t terminal_width()
{
    if (!::isatty(STDOUT_FILENO)) return 0;
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
    return 100;
}

namespace {

// 1234567 -> "1,234,567"
std::string grouped(std::size_t n)
{
    auto digits = std::to_string(n);
    for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

std::string clock_text(double seconds)
{
    const auto total = static_cast<long>(seconds + 0.5);
    char text[32];
    if (total >= 3600) std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    else std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    return text;
}

}  // namespace

progress_meter::progress_meter(std::string label) : label_(std::move(label)), width_(terminal_width()) {}

progress_meter::~progress_meter() { finish(); }

std::string progress_meter::line(std::size_t entries, std::size_t pages, double seconds) const
{
    const double rate = seconds > 0 ? static_cast<double>(entries) / seconds : 0;
    return label_ + ": " + grouped(entries) + " entries, " + grouped(pages) + " pages, " +
           grouped(static_cast<std::size_t>(rate)) + "/s, " + clock_text(seconds);
}

void progress_meter::update(std::size_t entries, std::size_t pages)
{
    const auto now = clock::now();
    const double seconds = std::chrono::duration<double>(now - start_).count();
    if (width_ > 0) {
        if (now - last_ < std::chrono::milliseconds(100) && drawn_) return;
        auto text = line(entries, pages, seconds);
        if (text.size() >= width_) text.resize(width_ - 1);
        std::cout << '\r' << text << "\033[K" << std::flush;
        drawn_ = true;
    }
    else {
        if (now - last_ < std::chrono::seconds(2)) return;
        std::cerr << line(entries, pages, seconds) << '\n';
    }
    last_ = now;
}

void progress_meter::finish()
{
    if (!drawn_) return;
    std::cout << "\r\033[K" << std::flush;
    drawn_ = false;
}

}  // namespace mcpreg::cli
