#include "filters/SpanExporter.h"

namespace zt::filters {

// Out of line so the vtable has one home.
SpanExporter::~SpanExporter() = default;

}  // namespace zt::filters
