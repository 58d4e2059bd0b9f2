#include "page_builder.hpp"

#include "http_util.hpp"

namespace mcpreg::engine::detail {

page_builder::page_builder(std::size_t expected_rows)
{
    page_.body.reserve(expected_rows * typical_entry_bytes + 128);
    page_.body = "{\"servers\":[";
    identity_.reserve(expected_rows * 33 + 64);  // a 32-digit digest and a comma per row, then metadata
}

row_sink page_builder::sink()
{
    return [this](const rendered_row& row) {
        if (count_++) page_.body += ',';
        page_.body += row.entry;
        identity_ += row.digest;
        identity_ += ',';
        last_name_ = row.name;
        last_version_ = row.version;
    };
}

built_answer page_builder::finish(bool full)
{
    std::string metadata = "{";
    if (full && count_ > 0) metadata += "\"nextCursor\":" + json_quote(last_name_ + ":" + last_version_) + ",";
    metadata += "\"count\":" + std::to_string(count_) + "}";
    page_.body += "],\"metadata\":";
    page_.body += metadata;
    page_.body += '}';
    identity_ += metadata;
    page_.etag = make_etag(identity_);
    return std::move(page_);
}

}  // namespace mcpreg::engine::detail
