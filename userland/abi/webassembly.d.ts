// The WebAssembly JavaScript API, which Node provides but @types/node 20 does not declare
// (TypeScript declares it only in its DOM library, which this project does not load). The
// subset the ABI's tests, the builder and the boot shim use, as lib.dom.d.ts states it.
/* eslint-disable no-var, @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-function-type -- the shapes of lib.dom.d.ts: constructors as vars, empty error interfaces, Function values */

declare namespace WebAssembly {
  type BufferSource = ArrayBufferView | ArrayBuffer;

  interface CompileError extends Error {}
  var CompileError: { prototype: CompileError; new (message?: string): CompileError; (message?: string): CompileError };

  interface LinkError extends Error {}
  var LinkError: { prototype: LinkError; new (message?: string): LinkError; (message?: string): LinkError };

  interface RuntimeError extends Error {}
  var RuntimeError: { prototype: RuntimeError; new (message?: string): RuntimeError; (message?: string): RuntimeError };

  interface ValueTypeMap {
    anyfunc: Function;
    externref: unknown;
    f32: number;
    f64: number;
    i32: number;
    i64: bigint;
    v128: never;
  }
  type ValueType = keyof ValueTypeMap;

  interface GlobalDescriptor<T extends ValueType = ValueType> {
    mutable?: boolean;
    value: T;
  }
  interface Global<T extends ValueType = ValueType> {
    value: ValueTypeMap[T];
    valueOf(): ValueTypeMap[T];
  }
  var Global: { prototype: Global; new <T extends ValueType = ValueType>(descriptor: GlobalDescriptor<T>, v?: ValueTypeMap[T]): Global<T> };

  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  var Memory: { prototype: Memory; new (descriptor: MemoryDescriptor): Memory };

  type TableKind = 'anyfunc' | 'externref';
  interface TableDescriptor {
    element: TableKind;
    initial: number;
    maximum?: number;
  }
  interface Table {
    readonly length: number;
    get(index: number): unknown;
    grow(delta: number, value?: unknown): number;
    set(index: number, value?: unknown): void;
  }
  var Table: { prototype: Table; new (descriptor: TableDescriptor, value?: unknown): Table };

  type ImportExportKind = 'function' | 'global' | 'memory' | 'table';
  interface ModuleExportDescriptor {
    kind: ImportExportKind;
    name: string;
  }
  interface ModuleImportDescriptor {
    kind: ImportExportKind;
    module: string;
    name: string;
  }
  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: BufferSource): Module;
    customSections(moduleObject: Module, sectionName: string): ArrayBuffer[];
    exports(moduleObject: Module): ModuleExportDescriptor[];
    imports(moduleObject: Module): ModuleImportDescriptor[];
  };

  type ExportValue = Function | Global | Memory | Table;
  type Exports = Record<string, ExportValue>;
  type ImportValue = ExportValue | number | bigint;
  type ModuleImports = Record<string, ImportValue>;
  type Imports = Record<string, ModuleImports>;

  interface Instance {
    readonly exports: Exports;
  }
  var Instance: { prototype: Instance; new (module: Module, importObject?: Imports): Instance };

  interface WebAssemblyInstantiatedSource {
    instance: Instance;
    module: Module;
  }

  function compile(bytes: BufferSource): Promise<Module>;
  function instantiate(bytes: BufferSource, importObject?: Imports): Promise<WebAssemblyInstantiatedSource>;
  function instantiate(moduleObject: Module, importObject?: Imports): Promise<Instance>;
  function validate(bytes: BufferSource): boolean;
}
