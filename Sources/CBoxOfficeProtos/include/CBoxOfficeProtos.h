/* Umbrella header for the protoc-c output; written by Scripts/generate.sh. Do not edit. */
#ifndef CBOXOFFICEPROTOS_H
#define CBOXOFFICEPROTOS_H
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>
#include "boxoffice/booking/v1/booking.pb-c.h"
#include "boxoffice/common/v1/money.pb-c.h"
#include "boxoffice/inventory/v1/inventory.pb-c.h"
#include "boxoffice/payment/v1/payment.pb-c.h"
#include "boxoffice/provider/v1/provider.pb-c.h"
#include "google/protobuf/descriptor.pb-c.h"
#include "google/protobuf/duration.pb-c.h"
#include "google/protobuf/timestamp.pb-c.h"
#include "grpc/health/v1/health.pb-c.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "grpc/reflection/v1alpha/reflection.pb-c.h"
#include "grpc/testing/empty.pb-c.h"
#include "grpc/testing/messages.pb-c.h"
#include "grpc/testing/test.pb-c.h"

/* Every message descriptor of the generated files (nested and map-entry types included). */
size_t cboxoffice_message_descriptor_count(void);
/* The descriptor at index (< cboxoffice_message_descriptor_count()), sorted by C name. */
const ProtobufCMessageDescriptor *cboxoffice_message_descriptor_at(size_t index);
#endif
