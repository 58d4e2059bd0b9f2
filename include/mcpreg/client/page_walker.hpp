// Where a walk over the pages of a list stands, and the guards every walk needs: one for the pager, the C API's
// iterator and the catalog's sync. Sans-io: the walker says what to ask for next; its owner fetches the page
// however it likes and hands back what came.
#pragma once

#include <mcpreg/client/options.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>
#include <mcpreg/model/server.hpp>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace mcpreg {

/// A walk over every page of a list query.
///
/// Guards: a `nextCursor` already seen in this walk (the starting cursor included, so A→B→A loops too), one of
/// more than 4 KiB, or a page with a next cursor that brings no entry not returned before, is an error rather
/// than an endless loop; a (name, version) already returned is dropped from later pages; an empty page ends
/// the walk. A page too large for the client's size cap is asked for again with half the
/// limit, down to 1, and the limit comes back for the pages after it.
///
/// \par Thread safety
/// One thread at a time.
class MCPREG_API page_walker {
public:
    /// Starts at `query.cursor` (or the beginning). `query.limit` is the page size to ask for.
    explicit page_walker(list_options query = {});

    /// The query of the next page.
    const list_options& query() const noexcept { return query_; }
    /// True once the last page was accepted.
    bool done() const noexcept { return done_; }

    /// A page arrived. errc::bad_response for a cursor already seen (the walker stays where it was);
    /// otherwise rows already returned are removed from `page` and the walker advances.
    result<void> accept(model::server_list& page);

    /// A page failed with `ec`. True when it is worth asking again now: the response was over the size cap
    /// and the limit can still shrink (it is halved; the registry's default of 30 is assumed when unset).
    bool retry_smaller(const error_code& ec);

    std::size_t pages() const noexcept { return pages_; }
    std::size_t duplicates_dropped() const noexcept { return duplicates_; }

private:
    list_options query_;
    std::optional<int> page_size_;  ///< the limit asked for, restored after a shrunk page
    bool done_ = false;
    std::size_t pages_ = 0;
    std::size_t duplicates_ = 0;
    std::set<std::string> cursors_seen_;
    std::set<std::pair<std::string, std::string>> rows_seen_;
};

}  // namespace mcpreg
