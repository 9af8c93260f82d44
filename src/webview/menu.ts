/**
 * A context menu of our own (webviews have no native one we can fill):
 * role="menu", keyboard operable (arrows, Home/End, Enter, Escape), closes on
 * blur, scroll or a click elsewhere, and gives focus back where it came from.
 */

import { h, icon, span } from './dom.js';

export interface MenuItem {
  label: string;
  icon?: string;
  /** Shortcut shown on the right ("Ctrl+C"). */
  keys?: string;
  run: () => void;
  disabled?: boolean;
}

export class ContextMenu {
  private el: HTMLDivElement | undefined;
  private returnFocus: HTMLElement | null = null;
  private readonly closeOnOutside = (e: Event) => {
    if (this.el && !(e.target instanceof Node && this.el.contains(e.target))) this.close(false);
  };
  private readonly closeOnBlur = () => this.close(false);

  get isOpen(): boolean {
    return !!this.el;
  }

  open(items: (MenuItem | 'separator')[], x: number, y: number): void {
    this.close(false);
    this.returnFocus = document.activeElement as HTMLElement | null;
    const menu = h('div', { class: 'context-menu', attrs: { role: 'menu', 'aria-orientation': 'vertical' } });
    const buttons: HTMLElement[] = [];
    for (const it of items) {
      if (it === 'separator') {
        menu.append(h('div', { class: 'menu-separator', attrs: { role: 'separator' } }));
        continue;
      }
      const b = h(
        'div',
        { class: 'menu-item', attrs: { role: 'menuitem', tabindex: -1, 'aria-disabled': it.disabled ? 'true' : undefined, 'aria-keyshortcuts': it.keys } },
        it.icon ? icon(it.icon, 'menu-icon') : span('menu-icon', ''),
        span('menu-label', it.label),
        span('menu-keys', it.keys ?? ''),
      );
      if (!it.disabled) {
        b.addEventListener('click', () => {
          this.close(true);
          it.run();
        });
        b.addEventListener('mousemove', () => b.focus({ preventScroll: true }));
        buttons.push(b);
      }
      menu.append(b);
    }
    menu.addEventListener('keydown', (e) => {
      const i = buttons.indexOf(document.activeElement as HTMLElement);
      const go = (k: number) => buttons[(k + buttons.length) % buttons.length]?.focus();
      switch (e.key) {
        case 'ArrowDown':
          go(i + 1);
          break;
        case 'ArrowUp':
          go(i < 0 ? buttons.length - 1 : i - 1);
          break;
        case 'Home':
          go(0);
          break;
        case 'End':
          go(buttons.length - 1);
          break;
        case 'Enter':
        case ' ':
          (document.activeElement as HTMLElement | null)?.click();
          break;
        case 'Escape':
        case 'Tab':
          this.close(true);
          break;
        default:
          return;
      }
      e.preventDefault();
      e.stopPropagation();
    });
    menu.addEventListener('focusout', (e) => {
      if (!e.relatedTarget || !menu.contains(e.relatedTarget as Node)) setTimeout(() => this.close(false), 0);
    });
    document.body.append(menu);
    this.el = menu;
    // Keep it inside the window.
    const r = menu.getBoundingClientRect();
    const left = Math.max(4, Math.min(x, window.innerWidth - r.width - 4));
    const top = y + r.height > window.innerHeight - 4 ? Math.max(4, y - r.height) : y;
    menu.style.left = `${left}px`;
    menu.style.top = `${top}px`;
    setTimeout(() => {
      document.addEventListener('mousedown', this.closeOnOutside, true);
      window.addEventListener('blur', this.closeOnBlur);
    }, 0);
    buttons[0]?.focus();
  }

  close(restoreFocus: boolean): void {
    if (!this.el) return;
    const el = this.el;
    this.el = undefined;
    el.remove();
    document.removeEventListener('mousedown', this.closeOnOutside, true);
    window.removeEventListener('blur', this.closeOnBlur);
    if (restoreFocus && this.returnFocus && this.returnFocus.isConnected) this.returnFocus.focus({ preventScroll: true });
  }
}
