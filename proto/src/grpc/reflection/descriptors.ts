// FileDescriptorProtos of grpc.health.v1 and grpc.reflection.v1/v1alpha, written out here
// because no generated protobuf-es code for them ships with the dependencies. They match
// grpc-proto's health.proto (Check, Watch, List, as grpc-health-check serves) and
// reflection.proto field for field; reflection serves them like any other file.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  type DescriptorProto,
  DescriptorProtoSchema,
  type FieldDescriptorProto,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FieldDescriptorProtoSchema,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';

interface FieldSpec {
  type: Type;
  /** Fully-qualified (leading dot) for messages and enums. */
  typeName?: string;
  repeated?: boolean;
  oneof?: number;
}

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function field(name: string, number: number, spec: FieldSpec): FieldDescriptorProto {
  return create(FieldDescriptorProtoSchema, {
    name,
    number,
    jsonName: camel(name),
    type: spec.type,
    typeName: spec.typeName ?? '',
    label: spec.repeated ? Label.REPEATED : Label.OPTIONAL,
    ...(spec.oneof === undefined ? {} : { oneofIndex: spec.oneof }),
  });
}

function message(
  name: string,
  fields: FieldDescriptorProto[],
  extra: Omit<MessageInitShape<typeof DescriptorProtoSchema>, 'name' | 'field' | '$typeName'> = {},
): DescriptorProto {
  return create(DescriptorProtoSchema, { ...extra, name, field: fields } as MessageInitShape<
    typeof DescriptorProtoSchema
  >);
}

const str = { type: Type.STRING };

export const healthFile: FileDescriptorProto = create(FileDescriptorProtoSchema, {
  name: 'grpc/health/v1/health.proto',
  package: 'grpc.health.v1',
  syntax: 'proto3',
  options: { goPackage: 'google.golang.org/grpc/health/grpc_health_v1' },
  messageType: [
    message('HealthListRequest', []),
    message(
      'HealthListResponse',
      [
        field('statuses', 1, {
          type: Type.MESSAGE,
          typeName: '.grpc.health.v1.HealthListResponse.StatusesEntry',
          repeated: true,
        }),
      ],
      {
        nestedType: [
          message(
            'StatusesEntry',
            [
              field('key', 1, str),
              field('value', 2, {
                type: Type.MESSAGE,
                typeName: '.grpc.health.v1.HealthCheckResponse',
              }),
            ],
            { options: { mapEntry: true } },
          ),
        ],
      },
    ),
    message('HealthCheckRequest', [field('service', 1, str)]),
    message(
      'HealthCheckResponse',
      [
        field('status', 1, {
          type: Type.ENUM,
          typeName: '.grpc.health.v1.HealthCheckResponse.ServingStatus',
        }),
      ],
      {
        enumType: [
          {
            name: 'ServingStatus',
            value: [
              { name: 'UNKNOWN', number: 0 },
              { name: 'SERVING', number: 1 },
              { name: 'NOT_SERVING', number: 2 },
              { name: 'SERVICE_UNKNOWN', number: 3 },
            ],
          },
        ],
      },
    ),
  ],
  service: [
    {
      name: 'Health',
      method: [
        {
          name: 'Check',
          inputType: '.grpc.health.v1.HealthCheckRequest',
          outputType: '.grpc.health.v1.HealthCheckResponse',
        },
        {
          name: 'Watch',
          inputType: '.grpc.health.v1.HealthCheckRequest',
          outputType: '.grpc.health.v1.HealthCheckResponse',
          serverStreaming: true,
        },
        {
          name: 'List',
          inputType: '.grpc.health.v1.HealthListRequest',
          outputType: '.grpc.health.v1.HealthListResponse',
        },
      ],
    },
  ],
});

/** reflection.proto in package `grpc.reflection.<version>` (v1 and v1alpha are identical). */
export function reflectionFile(version: 'v1' | 'v1alpha'): FileDescriptorProto {
  const pkg = `grpc.reflection.${version}`;
  const ref = (name: string) => ({ type: Type.MESSAGE, typeName: `.${pkg}.${name}` });
  return create(FileDescriptorProtoSchema, {
    name: version === 'v1' ? 'grpc/reflection/v1/reflection.proto' : 'reflection.proto',
    package: pkg,
    syntax: 'proto3',
    messageType: [
      message(
        'ServerReflectionRequest',
        [
          field('host', 1, str),
          field('file_by_filename', 3, { ...str, oneof: 0 }),
          field('file_containing_symbol', 4, { ...str, oneof: 0 }),
          field('file_containing_extension', 5, { ...ref('ExtensionRequest'), oneof: 0 }),
          field('all_extension_numbers_of_type', 6, { ...str, oneof: 0 }),
          field('list_services', 7, { ...str, oneof: 0 }),
        ],
        { oneofDecl: [{ name: 'message_request' }] },
      ),
      message('ExtensionRequest', [
        field('containing_type', 1, str),
        field('extension_number', 2, { type: Type.INT32 }),
      ]),
      message(
        'ServerReflectionResponse',
        [
          field('valid_host', 1, str),
          field('original_request', 2, ref('ServerReflectionRequest')),
          field('file_descriptor_response', 4, { ...ref('FileDescriptorResponse'), oneof: 0 }),
          field('all_extension_numbers_response', 5, {
            ...ref('ExtensionNumberResponse'),
            oneof: 0,
          }),
          field('list_services_response', 6, { ...ref('ListServiceResponse'), oneof: 0 }),
          field('error_response', 7, { ...ref('ErrorResponse'), oneof: 0 }),
        ],
        { oneofDecl: [{ name: 'message_response' }] },
      ),
      message('FileDescriptorResponse', [
        field('file_descriptor_proto', 1, { type: Type.BYTES, repeated: true }),
      ]),
      message('ExtensionNumberResponse', [
        field('base_type_name', 1, str),
        field('extension_number', 2, { type: Type.INT32, repeated: true }),
      ]),
      message('ListServiceResponse', [
        field('service', 1, { ...ref('ServiceResponse'), repeated: true }),
      ]),
      message('ServiceResponse', [field('name', 1, str)]),
      message('ErrorResponse', [
        field('error_code', 1, { type: Type.INT32 }),
        field('error_message', 2, str),
      ]),
    ],
    service: [
      {
        name: 'ServerReflection',
        method: [
          {
            name: 'ServerReflectionInfo',
            inputType: `.${pkg}.ServerReflectionRequest`,
            outputType: `.${pkg}.ServerReflectionResponse`,
            clientStreaming: true,
            serverStreaming: true,
          },
        ],
      },
    ],
  });
}
