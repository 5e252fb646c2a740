import type { DashboardDeviceState, DashboardDevicesView } from '../../DashboardApi.js';
import { Loading } from '../Loading.js';
import { boardHref } from '../parseRoute.js';
import { useResource } from '../useResource.js';
import { ViewHeading } from '../ViewHeading.js';

/** `#/devices`: the simulated boards' devices as they are now: lamps lit or not, displays as pictures. */
export function DevicesView() {
  const devices = useResource<DashboardDevicesView>('/api/devices', { live: 'devices' });
  return (
    <>
      <ViewHeading>Devices</ViewHeading>
      {devices.data === undefined ? (
        <Loading error={devices.error} />
      ) : (
        <div class="device-boards">
          {devices.data.boards.map((board) => (
            <section key={board.board} class="card" aria-labelledby={`devices-${board.board}`}>
              <h2 id={`devices-${board.board}`}>
                <a href={boardHref(board.board)}>{board.board}</a> <span class="muted">{board.running ? 'running' : 'not running'}</span>
              </h2>
              {board.devices.length === 0 ? (
                <p class="muted">No devices.</p>
              ) : (
                <ul class="devices">
                  {board.devices.map((device) => (
                    <li key={device.name}>
                      <Device board={board.board} device={device} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </div>
      )}
    </>
  );
}

function Device({ board, device }: { readonly board: string; readonly device: DashboardDeviceState }) {
  if ('level' in device) {
    const on = device.level !== 0;
    return (
      <span class={`device device-digital ${on ? 'device-on' : 'device-off'}`} data-device={`${board}.${device.name}`} data-level={String(device.level)}>
        <span class="lamp" aria-hidden="true" /> <strong>{device.name}</strong> {on ? 'on' : 'off'} <span class="muted">({device.driver === 'gpio-out' ? 'output' : 'input'})</span>
      </span>
    );
  }
  if ('refreshes' in device) {
    return (
      <figure class="device device-display">
        <img src={`/api/devices/${encodeURIComponent(board)}/${encodeURIComponent(device.name)}/png?r=${device.refreshes}`} alt={`${board}.${device.name} display, ${device.width}x${device.height}`} width={device.width} height={device.height} />
        <figcaption>
          <strong>{device.name}</strong> <span class="muted">({device.driver}, {device.refreshes} refreshes)</span>
        </figcaption>
      </figure>
    );
  }
  return (
    <span class="device">
      <strong>{device.name}</strong> <span class="muted">({device.driver})</span>
    </span>
  );
}
