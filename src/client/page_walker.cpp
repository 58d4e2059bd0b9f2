#include <mcpreg/client/page_walker.hpp>

#include <algorithm>

namespace mcpreg {
namespace {

// Cursors are a name and a version (at most a few hundred bytes); anything far longer is not a cursor.
constexpr std::size_t max_cursor_bytes = 4096;

}  // namespace

page_walker::page_walker(list_options query) : query_(std::move(query)), page_size_(query_.limit)
{
    if (query_.cursor && !query_.cursor->empty()) cursors_seen_.insert(*query_.cursor);
}

result<void> page_walker::accept(model::server_list& page)
{
    const bool more = page.next_cursor && !page.next_cursor->empty() && !page.servers.empty();
    if (more && page.next_cursor->size() > max_cursor_bytes)
        return make_error(errc::bad_response, "the registry sent a cursor of more than 4 KiB");
    if (more && cursors_seen_.contains(*page.next_cursor))
        return make_error(errc::bad_response, "the registry sent the cursor '" + page.next_cursor->substr(0, 200) +
                                                  "' a second time; the walk stops rather than loop");
    // Fresh cursors over rows already returned would go on for ever just as well: every page must bring one.
    const bool progress =
        std::any_of(page.servers.begin(), page.servers.end(), [this](const model::server_response& r) {
            return !rows_seen_.contains({r.server.name, r.server.version});
        });
    if (more && !progress)
        return make_error(errc::bad_response,
                          "the registry sent a page of entries it had already sent; the walk stops rather than loop");
    if (more) cursors_seen_.insert(*page.next_cursor);
    std::erase_if(page.servers, [this](const model::server_response& r) {
        const bool seen = !rows_seen_.emplace(r.server.name, r.server.version).second;
        duplicates_ += seen;
        return seen;
    });
    ++pages_;
    query_.limit = page_size_;
    if (more) query_.cursor = page.next_cursor;
    else done_ = true;
    return {};
}

bool page_walker::retry_smaller(const error_code& ec)
{
    if (ec != errc::response_too_large) return false;
    constexpr int registry_default_limit = 30;
    const int current = query_.limit.value_or(registry_default_limit);
    if (current <= 1) return false;
    query_.limit = current / 2;
    return true;
}

}  // namespace mcpreg
