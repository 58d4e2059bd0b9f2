// A read answer's body built from stored entries as the storage steps through them. Private to the library.
#pragma once

#include "storage.hpp"

#include <cstddef>
#include <string>

namespace mcpreg::engine::detail {

/// What a read builds: the status, and the body with its ETag (for anything but 200, the problem's detail).
struct built_answer {
    int status = 200;
    std::string body;
    std::string etag;
};

/// A page of stored entries, appended as the storage steps through them. Its ETag is hashed from the entries'
/// digests and the metadata, which determine the body, so a page costs no hash of its own bytes.
class page_builder {
public:
    /// `expected_rows` sizes the body up front: growing a 100-entry page by doubling copies it about twice.
    explicit page_builder(std::size_t expected_rows = 1);

    row_sink sink();
    std::size_t count() const { return count_; }
    /// The page, with a `nextCursor` to its last row when `full`.
    built_answer finish(bool full);

private:
    // The bundled snapshot's first page averages 765 bytes an entry, all its entries 1,077; a page of larger
    // ones grows once or twice.
    static constexpr std::size_t typical_entry_bytes = 1024;

    built_answer page_;
    std::string identity_;
    std::string last_name_, last_version_;
    std::size_t count_ = 0;
};

}  // namespace mcpreg::engine::detail
