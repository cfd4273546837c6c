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

/** Smaller icons for buttons and the top bar (20px). */
const small = { ...common, width: 20, height: 20, strokeWidth: 1.8 } as const;

export const CartIcon = () => (
  <svg {...small}>
    <path d="M3 4h2l2.2 10.2a1.5 1.5 0 0 0 1.5 1.2h8.6a1.5 1.5 0 0 0 1.5-1.1L20.5 8H6.2" />
    <circle cx="9.5" cy="19.5" r="1.3" />
    <circle cx="17" cy="19.5" r="1.3" />
  </svg>
);
export const ReceiptIcon = () => (
  <svg {...small}>
    <path d="M6 3h12v18l-3-2-3 2-3-2-3 2z" />
    <path d="M9 8h6M9 12h6M9 16h3" />
  </svg>
);
export const BagIcon = () => (
  <svg {...small}>
    <path d="M5 8h14l-1 12H6z" />
    <path d="M9 8V6a3 3 0 0 1 6 0v2" />
  </svg>
);
export const SoundOffIcon = () => (
  <svg {...small}>
    <path d="M4 9h4l5-4v14l-5-4H4z" />
    <path d="M17 9l4 6M21 9l-4 6" />
  </svg>
);
export const SoundOnIcon = () => (
  <svg {...small}>
    <path d="M4 9h4l5-4v14l-5-4H4z" />
    <path d="M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12" />
  </svg>
);
export const CloseIcon = () => (
  <svg {...small}>
    <path d="M6 6l12 12M18 6L6 18" />
  </svg>
);
export const UploadIcon = () => (
  <svg {...common}>
    <path d="M12 16V4M7 9l5-5 5 5" />
    <path d="M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3" />
  </svg>
);
export const TrashIcon = () => (
  <svg {...small}>
    <path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />
  </svg>
);
export const ChevronIcon = () => (
  <svg {...small}>
    <path d="M9 6l6 6-6 6" />
  </svg>
);
export const HomeIcon = () => (
  <svg {...small}>
    <path d="M4 10.5L12 4l8 6.5V20h-5v-6H9v6H4z" />
  </svg>
);
export const LiveIcon = () => (
  <svg {...small}>
    <circle cx="12" cy="12" r="2.5" />
    <path d="M7.8 7.8a6 6 0 0 0 0 8.4M16.2 7.8a6 6 0 0 1 0 8.4M5 5a10 10 0 0 0 0 14M19 5a10 10 0 0 1 0 14" />
  </svg>
);
export const UserIcon = () => (
  <svg {...small}>
    <circle cx="12" cy="8" r="4" />
    <path d="M4 20c1.5-3.5 4.5-5 8-5s6.5 1.5 8 5" />
  </svg>
);
