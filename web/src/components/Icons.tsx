/** Small line icons for empty states (decorative; always aria-hidden by their container). */
const common = { width: 40, height: 40, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;

export const VideoIcon = () => (
  <svg {...common}>
    <rect x="3" y="5" width="14" height="14" rx="2" />
    <path d="M17 10l4-2.5v9L17 14" />
  </svg>
);
export const BoxIcon = () => (
  <svg {...common}>
    <path d="M3 7.5L12 3l9 4.5v9L12 21l-9-4.5z" />
    <path d="M3 7.5L12 12l9-4.5M12 12v9" />
  </svg>
);
export const CoinsIcon = () => (
  <svg {...common}>
    <ellipse cx="12" cy="7" rx="7" ry="3" />
    <path d="M5 7v5c0 1.7 3.1 3 7 3s7-1.3 7-3V7M5 12v5c0 1.7 3.1 3 7 3s7-1.3 7-3v-5" />
  </svg>
);
export const StoreIcon = () => (
  <svg {...common}>
    <path d="M4 9l1.5-5h13L20 9M4 9h16v11H4zM9 20v-6h6v6" />
  </svg>
);
