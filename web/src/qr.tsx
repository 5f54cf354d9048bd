/** A QR code drawn as SVG from its modules (no inline markup, nothing the page's CSP would refuse). */
import QRCode from "qrcode";

export function QrCode({ text, label, size = 200 }: { text: string; label: string; size?: number }) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = modules.size;
  const quiet = 4;
  let d = "";
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) if (modules.get(y, x)) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  return (
    <svg
      role="img"
      aria-label={label}
      data-testid="totp-qr"
      viewBox={`0 0 ${n + 2 * quiet} ${n + 2 * quiet}`}
      width={size}
      height={size}
      shapeRendering="crispEdges"
    >
      <rect width="100%" height="100%" fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
