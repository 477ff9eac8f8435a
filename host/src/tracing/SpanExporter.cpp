#include "tracing/SpanExporter.h"

namespace zt::tracing {

// Out of line so the vtable has one home.
SpanExporter::~SpanExporter() = default;

}  // namespace zt::tracing
