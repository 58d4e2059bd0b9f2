// Where a catalog sync reads a registry from: a narrow interface (one page of GET /servers at a time), so a
// sync needs no particular client, and tests can hand it any pages they like.
#pragma once

#include <mcpreg/client/options.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>
#include <mcpreg/model/server.hpp>

#include <string>

namespace mcpreg {
class blocking_client;
}

namespace mcpreg::cache {

class page_source {
public:
    page_source() = default;
    page_source(const page_source&) = delete;
    page_source& operator=(const page_source&) = delete;
    virtual ~page_source() = default;

    /// The registry's base URL: the catalog's name for the source.
    virtual std::string source_url() const = 0;
    /// One page of the list; the call may block. Its answer is checked by the sync (page_walker's guards).
    virtual result<model::server_list> list_page(const list_options& query) = 0;
};

/// The pages of the registry a blocking client points at (its async client does the work).
class MCPREG_API client_pages final : public page_source {
public:
    explicit client_pages(blocking_client& client) noexcept : client_(client) {}

    std::string source_url() const override;
    result<model::server_list> list_page(const list_options& query) override;

private:
    blocking_client& client_;
};

}  // namespace mcpreg::cache
