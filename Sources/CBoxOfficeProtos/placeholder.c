/* placeholder until Scripts/generate.sh writes protoc-c output */
#include "CBoxOfficeProtos.h"
int cboxoffice_protos_placeholder(void) { return 0; }
