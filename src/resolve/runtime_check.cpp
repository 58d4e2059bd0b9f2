// Reading the runtime arguments of an entry with its runner's grammar (`--name=value`, `--name value`, docker's
// `-it` and `-eNAME=value`) and checking each against the runner's table (runner_tables.cpp): an option that
// changes the program or reaches into the host, an unknown option, or an operand is refused unless the caller
// allows it by name; what is allowed is recorded in the launch report.
#include "mounts.hpp"
#include "policy.hpp"
#include "runner_options.hpp"

#include <algorithm>

namespace mcpreg::resolve::detail {

namespace {

// The part of `token` from byte `from` on, with the secret spans that reach into it.
piece tail(const piece& token, std::size_t from)
{
    piece out{token.text.substr(std::min(from, token.text.size())), {}};
    for (auto span : token.spans) {
        const auto end = span.offset + span.length;
        if (end <= from && span.length > 0) continue;
        const auto start = std::max(span.offset, from);
        span.length = end > start ? end - start : 0;
        span.offset = start - from;
        out.spans.push_back(std::move(span));
    }
    return out;
}

// How an option token is spelled: its name, its value when written into the same token (`--name=value`,
// `-p8080:80`), or the short flags combined in it (`-it`).
struct option_spelling {
    std::string name;
    std::optional<piece> inline_value;
    std::vector<const option_rule*> flags;  // combined short flags: -it
};

option_spelling read_spelling(const runner_grammar& grammar, const piece& token)
{
    const std::string_view text = token.text;
    option_spelling out{std::string(text), std::nullopt, {}};
    if (text.starts_with("--")) {
        if (const auto eq = text.find('='); eq != std::string_view::npos) {
            out.name = std::string(text.substr(0, eq));
            out.inline_value = tail(token, eq + 1);
        }
    }
    else if (text.size() > 2) {
        out.name = std::string(text.substr(0, 2));
        const auto* first = find_rule(grammar, out.name);
        if (!grammar.combined_short || !first) out.name = std::string(text);  // -yq: not a known spelling
        else if (first->takes_value) out.inline_value = tail(token, text[2] == '=' ? 3 : 2);
        else
            for (std::size_t k = 1; k < text.size(); ++k) {
                const auto* f = find_rule(grammar, std::string{'-', text[k]});
                if (!f || f->takes_value) {
                    out.flags.clear();
                    out.name = std::string(text);
                    break;
                }
                out.flags.push_back(f);
            }
    }
    return out;
}

}  // namespace

std::optional<error> runtime_check::run(const std::vector<piece>& tokens)
{
    const auto grammar = grammar_of(runner);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto& token = tokens[i];
        const std::string_view text = token.text;
        const std::string shown = mask_secrets(token.text, token.spans);
        const bool option_like = text.size() > 1 && text.front() == '-';
        std::optional<error> refused;
        if (!option_like) refused = operand(shown);
        else if (!grammar)
            refused = unknown(text.substr(0, text.find('=')), shown,
                              "is passed to " + std::string(runner) + ", a runner whose options mcpreg does not know");
        else if (text == "--")
            refused = unknown("--", shown, "ends the options: what follows would be taken for what to run");
        else refused = known_runner_option(*grammar, tokens, i, shown);
        if (refused) return refused;
    }
    return std::nullopt;
}

// An operand: the runner would take it for the package (or image) to run, or for its command.
std::optional<error> runtime_check::operand(const std::string& shown)
{
    if (!permitted(allowed, "operands"))
        return refusal("the runtime argument '" + shown + "' is an operand: " + std::string(runner) +
                           " would take it for what to run instead of " + std::string(package),
                       "operands");
    report.overrides.push_back(shown);
    warnings.push_back("the runtime operand '" + shown + "' is passed to " + std::string(runner) +
                       "; allowed by the caller");
    report.runner_options.push_back(shown);
    return std::nullopt;
}

// An option of a runner whose table mcpreg has. `i` moves past the option's value when that is the next argument.
std::optional<error> runtime_check::known_runner_option(const runner_grammar& grammar, const std::vector<piece>& tokens,
                                                        std::size_t& i, const std::string& shown)
{
    const auto spelled = read_spelling(grammar, tokens[i]);
    if (!spelled.flags.empty()) {
        for (const auto* f : spelled.flags)
            if (auto e = option(*f, std::nullopt, std::string(f->name))) return e;
        return std::nullopt;
    }
    const auto* rule = find_rule(grammar, spelled.name);
    if (!rule) return unknown(spelled.name, shown, grammar.unknown);
    if (!rule->takes_value) {
        if (spelled.inline_value && spelled.inline_value->text != "true" && spelled.inline_value->text != "false")
            return refusal("the runtime option '" + shown + "' takes no value", rule->name);
        return option(*rule, std::nullopt, shown);
    }
    if (spelled.inline_value) return option(*rule, spelled.inline_value, shown);
    return value_in_next_argument(*rule, tokens, i, shown);
}

// The value is the next argument. Without one the runner would take the package reference as the value and run
// whatever follows; one that looks like an option may be read as one.
std::optional<error> runtime_check::value_in_next_argument(const option_rule& rule, const std::vector<piece>& tokens,
                                                           std::size_t& i, const std::string& shown)
{
    if (i + 1 >= tokens.size()) {
        if (!permitted(allowed, rule.name))
            return refusal("the runtime option '" + shown + "' has no value: " + std::string(runner) + " would take " +
                               std::string(package) + " as its value",
                           rule.name);
        return unknown(rule.name, shown, "");
    }
    const piece& value = tokens[++i];
    const std::string shown_value = mask_secrets(value.text, value.spans);
    if (value.text.starts_with("-") && !permitted(allowed, rule.name))
        return refusal("the value '" + shown_value + "' of the runtime option '" + shown + "' looks like an option",
                       rule.name);
    return option(rule, value, shown + " " + shown_value);
}

// One option with its value (if any). `shown` is how it reads in messages and the report (secrets masked).
std::optional<error> runtime_check::option(const option_rule& rule, const std::optional<piece>& value,
                                           std::string shown)
{
    effect what = rule.what;
    std::string why;
    if (what == effect::changes_program) why = "changes the program or package " + std::string(runner) + " runs";
    if (what == effect::host_access) why = "gives the container access to the host";
    const std::string v = value ? value->text : std::string();
    // What the report shows: the value with its secrets masked.
    const std::string masked = value ? mask_secrets(value->text, value->spans) : std::string();
    switch (rule.read) {
    case reading::plain: break;
    case reading::container_env: report.env.push_back(masked.substr(0, masked.find('='))); break;
    case reading::port: report.published_ports.push_back(masked); break;
    case reading::volume:
    case reading::mount: {
        auto m = rule.read == reading::volume ? volume_option(v, home) : mount_option(v, home);
        if (m.host_access) {
            what = effect::host_access;
            // A refusal quotes the mount; a secret in it must not reach the message.
            why = "gives the container access to the host: " +
                  (value && !value->spans.empty() ? std::string("a mount holding a secret") : *m.host_access);
        }
        if (value && !value->spans.empty())
            m.what = (rule.read == reading::volume ? volume_option(masked, home) : mount_option(masked, home)).what;
        report.mounts.push_back(std::move(m.what));
        break;
    }
    case reading::network:
        report.network = masked;
        if (v == "host" || v.starts_with("container:") || v.starts_with("ns:")) {
            what = effect::host_access;
            why = "shares the host's (or another container's) network";
        }
        break;
    case reading::namespace_mode:
        if (v == "host" || v.starts_with("container:") || v.starts_with("ns:")) {
            what = effect::host_access;
            why = "shares a namespace of the host (or of another container)";
        }
        break;
    }
    if (what != effect::allowed) {
        if (!permitted(allowed, rule.name))
            return refusal("the runtime option '" + shown + "' of " + std::string(runner) + " " + why, rule.name);
        (what == effect::host_access ? report.host_access : report.overrides).push_back(shown);
        warnings.push_back("the runtime option '" + shown + "' " + why + "; allowed by the caller");
    }
    report.runner_options.push_back(std::move(shown));
    return std::nullopt;
}

std::optional<error> runtime_check::unknown(std::string_view name, std::string shown, std::string_view why)
{
    if (!permitted(allowed, name)) return refusal("the runtime option '" + shown + "' " + std::string(why), name);
    report.overrides.push_back(shown);
    warnings.push_back("the runtime option '" + shown + "' is passed to " + std::string(runner) +
                       " unchecked; allowed by the caller");
    report.runner_options.push_back(std::move(shown));
    return std::nullopt;
}

}  // namespace mcpreg::resolve::detail
