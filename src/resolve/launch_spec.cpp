// What a launch spec shows: its argv, with or without its secret values masked.
#include <mcpreg/resolve/resolve.hpp>

#include <algorithm>

namespace mcpreg::resolve {

std::vector<std::string> launch_spec::argv() const
{
    std::vector<std::string> out;
    if (command.empty()) return out;
    out.push_back(command);
    out.insert(out.end(), args.begin(), args.end());
    return out;
}

std::vector<std::string> launch_spec::masked_argv() const
{
    std::vector<std::string> out;
    if (command.empty()) return out;
    out.push_back(command);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto spans = secrets.args.find(i);
        out.push_back(spans == secrets.args.end() ? args[i] : mask_secrets(args[i], spans->second));
    }
    return out;
}

std::string mask_secrets(std::string_view value, const std::vector<secret_span>& spans)
{
    if (spans.empty()) return std::string(value);
    auto sorted = spans;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
    std::string out;
    std::size_t at = 0;
    for (const auto& span : sorted) {
        const auto start = std::min(span.offset, value.size());
        const auto end = std::min(span.offset + span.length, value.size());
        if (start < at) {  // overlapping: already masked up to `at`
            at = std::max(at, end);
            continue;
        }
        out += value.substr(at, start - at);
        out += "********";
        at = end;
    }
    out += value.substr(std::min(at, value.size()));
    return out;
}

}  // namespace mcpreg::resolve
